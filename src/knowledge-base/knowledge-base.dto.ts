import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsString, Matches, Max, MaxLength, Min, ValidateBy } from 'class-validator';
import { TIMESTAMP_MESSAGE, isTimestamp } from '../common/timestamp.js';
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

// ---- GET /knowledge-base/gaps ------------------------------------------------------------

/** Only plain digits become a number ("0x10", " 5" or "1e2" stay strings and fail). */
const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value);

/** A timestamp query parameter as GET /monitoring/report takes them (timestamp.ts). */
function IsTimestampParam(): PropertyDecorator {
  return ValidateBy({
    name: 'isTimestamp',
    validator: { validate: (value: unknown) => isTimestamp(value), defaultMessage: (args) => `${args?.property ?? 'value'} ${TIMESTAMP_MESSAGE}; in a URL write + as %2B` },
  });
}

export class KbGapsQueryDto {
  @ApiPropertyOptional({ example: '2026-11-01T00:00:00Z', description: 'Tickets created at or after this instant. Default: 30 days before `to`.' })
  @Optional()
  @IsTimestampParam()
  @IsString()
  from?: string;

  @ApiPropertyOptional({ example: '2026-12-01T00:00:00+01:00', description: 'Tickets created before this instant. Default: now. At most 366 days after `from`.' })
  @Optional()
  @IsTimestampParam()
  @IsString()
  to?: string;

  @ApiPropertyOptional({ example: 'technical', description: 'Only tickets triaged into this category; `uncategorized` selects tickets without one.' })
  @Optional()
  @MaxLength(64)
  @IsString()
  category?: string;

  @ApiPropertyOptional({ example: 2, minimum: 1, default: 1, description: 'Leave out groups with fewer tickets.' })
  @Optional()
  @Transform(toInt)
  @Min(1)
  @Max(1_000_000)
  @IsInt()
  min_count?: number;

  @ApiPropertyOptional({ example: 20, minimum: 1, maximum: 100, default: 20, description: 'Groups returned, largest first.' })
  @Optional()
  @Transform(toInt)
  @Min(1)
  @Max(100)
  @IsInt()
  limit?: number;
}

class KbGapArticleDto {
  @ApiProperty({ example: 'kb-0041' }) id!: string;
  @ApiProperty({ example: 'Getting started: projects, tasks and shortcuts' }) title!: string;
  @ApiProperty({ example: 0.531, description: 'The best match (0-1) any inquiry of the group had with it; below KB_MATCH_THRESHOLD.' }) best_match!: number;
}

class KbGapReasonsDto {
  @ApiProperty({ example: 0, description: 'The knowledge base returned no article at all.' }) no_article!: number;
  @ApiProperty({ example: 5, description: 'Articles came back, none matching well enough.' }) low_match!: number;
}

export class KbGapGroupDto {
  @ApiProperty({ example: 'print / board', description: "The group's 2-3 most characteristic words." }) topic!: string;
  @ApiProperty({ example: ['print', 'board', 'columns', 'cut'], description: 'Its characteristic words, most characteristic first.' }) terms!: string[];
  @ApiProperty({ example: 5 }) count!: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    example: { technical: 4, general: 1 },
    description: 'Tickets per triage category (`uncategorized` for tickets without one).',
  })
  categories!: Record<string, number>;
  @ApiProperty({ example: '2026-11-03T08:12:00.000Z' }) first_seen!: string;
  @ApiProperty({ example: '2026-11-28T16:40:00.000Z' }) last_seen!: string;
  @ApiProperty({ example: ['7f1c…', '2b9e…'], description: 'Up to 5 ticket ids, newest first (GET /tickets/{id}).' }) example_ticket_ids!: string[];
  @ApiProperty({
    example: ['How do I print my project board? Printing only shows the first page.'],
    description: 'Up to 3 (redacted) inquiries nearest the group\'s centre, at most 300 characters each.',
  })
  sample_inquiries!: string[];
  @ApiProperty({ type: KbGapArticleDto, nullable: true, description: 'The article that came closest, or null when the knowledge base returned none.' })
  closest_article!: KbGapArticleDto | null;
  @ApiProperty({ type: KbGapReasonsDto }) reasons!: KbGapReasonsDto;
}

export class KbGapsResponseDto {
  @ApiProperty({ example: '2026-11-01T00:00:00.000Z' }) from!: string;
  @ApiProperty({ example: '2026-12-01T00:00:00.000Z' }) to!: string;
  @ApiProperty({ example: 1240, description: 'Tickets of the range (and category) the agents resolved or escalated.' }) tickets_considered!: number;
  @ApiProperty({ example: 87, description: 'Of those, the ones escalated because no article fit (their latest resolution).' }) gap_tickets!: number;
  @ApiProperty({ example: 31, description: 'Groups with at least min_count tickets, before limit.' }) groups_total!: number;
  @ApiProperty({ type: [KbGapGroupDto] }) groups!: KbGapGroupDto[];
  @ApiProperty({ example: false, description: 'True when the range held more than 50,000 gap tickets: only the newest 50,000 were grouped and counted.' })
  truncated!: boolean;
}
