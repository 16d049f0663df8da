import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsString, Max, MaxLength, Min } from 'class-validator';
import { Optional } from './validation.js';

/** The keyset-pagination query every list route shares: an opaque cursor and a page size. */
export class PageQueryDto {
  @ApiPropertyOptional({ description: 'next_cursor of the previous page.' })
  @Optional()
  @MaxLength(200)
  @IsString()
  cursor?: string;

  @ApiPropertyOptional({ example: 50, minimum: 1, maximum: 200, default: 50 })
  @Optional()
  @Transform(({ value }) => (typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value))
  @Min(1)
  @Max(200)
  @IsInt()
  limit?: number;
}
