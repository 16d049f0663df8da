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
  @ApiProperty({ example: 'technical' }) category!: string;
  @ApiProperty({ example: 12.84, description: 'BM25+ relevance; compare within one query.' }) score!: number;
  @ApiProperty({ example: 'Click Forgot password? on the sign-in page and enter your work email.' }) snippet!: string;
  @ApiProperty({
    example: 'Click Forgot <mark>password</mark>? on the sign-in page and enter your work email.',
    description: 'The snippet, HTML-escaped, with the words that matched the query in <mark>…</mark>.',
  })
  highlight!: string;
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
  @ApiProperty({ example: '2026-11-20T09:00:00.000Z' }) created_at!: string;
  @ApiProperty({ example: 3, description: 'Incremented on every change; send it back in If-Match to update safely.' }) version!: number;
}

export class ArticleListQueryDto {
  @ApiPropertyOptional({ example: 100, minimum: 1, maximum: 1000, default: 100 })
  @Optional()
  @Transform(({ value }) => (typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value))
  @Min(1)
  @Max(1000)
  @IsInt()
  limit?: number;

  @ApiPropertyOptional({ example: 'kb-0100', description: 'Return articles whose id sorts after this one (the Link rel="next" header carries it).' })
  @Optional()
  @MaxLength(64)
  @IsString()
  after?: string;

  @ApiPropertyOptional({ example: 'billing' })
  @Optional()
  @MaxLength(64)
  @IsString()
  category?: string;
}

/** Request body of POST/PUT (documentation; validated with ArticleWriteSchema). */
export class ArticleWriteDto {
  @ApiPropertyOptional({ example: 'kb-0100', description: 'POST only, optional: generated from the title when absent. PUT takes the id from the path.' })
  id?: string;
  @ApiProperty({ example: 'Change your billing e-mail', maxLength: 300 }) title!: string;
  @ApiProperty({ example: 'Owners can change where invoices go.\n\n## Steps\n1. Open **Settings → Billing**.\n2. Edit **Billing e-mail** and save.', maxLength: 200000 })
  body!: string;
  @ApiProperty({ example: 'billing' }) category!: string;
  @ApiPropertyOptional({ example: ['invoices', 'billing email'], default: [] }) tags?: string[];
}

class MarkdownFileDto {
  @ApiPropertyOptional({ example: 'billing-email.md' }) name?: string;
  @ApiProperty({ example: '---\nid: kb-0101\ntitle: Change your billing e-mail\ncategory: billing\ntags: [invoices]\n---\nOwners can change where invoices go…' })
  content!: string;
}

export class ImportRequestDto {
  @ApiPropertyOptional({ type: [ArticleWriteDto], description: 'Articles as JSON (id required).' }) articles?: ArticleWriteDto[];
  @ApiPropertyOptional({ type: [MarkdownFileDto], description: 'Markdown files with YAML front matter (id, title, category, tags).' })
  markdown?: MarkdownFileDto[];
  @ApiPropertyOptional({ enum: ['update', 'skip', 'fail'], default: 'update', description: 'What to do with ids that exist: replace them, leave them, or reject the whole import (409).' })
  on_existing?: 'update' | 'skip' | 'fail';
}

export class ImportResultDto {
  @ApiProperty({ example: ['kb-0101'] }) created!: string[];
  @ApiProperty({ example: ['kb-0001'] }) updated!: string[];
  @ApiProperty({ example: [] }) unchanged!: string[];
  @ApiProperty({ example: [], description: 'Existing ids left alone (on_existing "skip").' }) skipped!: string[];
}
