import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { HAS_TEXT, HAS_TEXT_MESSAGE, Optional } from '../common/validation.js';

export class SearchQueryDto {
  @ApiProperty({ example: 'forgot my password', maxLength: 1000 })
  @Matches(HAS_TEXT, { message: `q ${HAS_TEXT_MESSAGE}` })
  @MaxLength(1000)
  @IsString()
  q!: string;

  @ApiPropertyOptional({ example: 5, minimum: 1, maximum: 50, default: 5 })
  @Optional()
  // Only plain digits become a number ("0x10", " 5" or "1e2" stay strings and fail).
  @Transform(({ value }) => (typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value))
  @Min(1)
  @Max(50)
  @IsInt()
  limit?: number;

  @ApiPropertyOptional({ example: 'technical' })
  @Optional()
  @MaxLength(64)
  @IsString()
  category?: string;
}

export class SearchHitDto {
  @ApiProperty({ example: 'kb-0001' }) id!: string;
  @ApiProperty({ example: 'Reset your password' }) title!: string;
  @ApiProperty({ example: 12.84, description: 'BM25+ relevance; compare within one query.' }) score!: number;
  @ApiProperty({ example: 'Click Forgot password? on the sign-in page and enter your work email.' }) snippet!: string;
}

export class SearchResponseDto {
  @ApiProperty({ type: [SearchHitDto] }) hits!: SearchHitDto[];
}

export class ArticleDto {
  @ApiProperty({ example: 'kb-0001' }) id!: string;
  @ApiProperty({ example: 'Reset your password' }) title!: string;
  @ApiProperty({ example: '## Steps\n1. Open the sign-in page…' }) body!: string;
  @ApiProperty({ example: 'technical' }) category!: string;
  @ApiProperty({ example: ['password', 'login'] }) tags!: string[];
  @ApiProperty({ example: '2026-11-25T10:00:00.000Z' }) updated_at!: string;
}
