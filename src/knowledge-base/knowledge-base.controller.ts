import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { parseIfMatch } from '../common/if-match.js';
import { GuardBody } from '../guardrails/guard-body.pipe.js';
import { RequireKey, RequireScopes } from '../auth/scopes.js';
import { ApiBody, ApiCreatedResponse, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { randomBytes } from 'node:crypto';
import { ApiProblems } from '../common/api-docs.decorators.js';
import { ProblemException } from '../common/problem-details.js';
import { ZodBodyPipe } from '../common/validation.js';
import { resolveReportRange } from '../monitoring/monitoring-report.repository.js';
import { highlight } from './highlight.js';
import { KbGapsRepository, type KbGapsReport } from './kb-gaps.repository.js';
import {
  ArticleDto,
  ArticleListQueryDto,
  ArticleWriteDto,
  ImportRequestDto,
  ImportResultDto,
  KbGapsQueryDto,
  KbGapsResponseDto,
  SearchQueryDto,
  SearchResponseDto,
} from './knowledge-base.dto.js';
import { ArticleWriteSchema, ImportRequestSchema, type ArticleWrite } from './knowledge-base.schemas.js';
import { KnowledgeBaseService, type ImportRequest, type StoredArticle } from './knowledge-base.service.js';

const ID_EXAMPLE = { name: 'id', example: 'kb-0001' };
const IF_MATCH = { name: 'If-Match', required: false, description: 'The version you read (ETag "3" or 3): the write fails with 412 if the article changed since.' };

@ApiTags('knowledge-base')
@Controller('knowledge-base')
export class KnowledgeBaseController {
  constructor(
    private readonly kb: KnowledgeBaseService,
    private readonly gaps: KbGapsRepository,
  ) {}

  @Get('search')
  @RequireKey()
  @ApiOperation({ summary: 'Ranked full-text search (BM25+, stemming, typo tolerance) over the stored articles, best first' })
  @ApiOkResponse({ type: SearchResponseDto })
  @ApiProblems(400, 503)
  async search(@Query() { q, limit, category }: SearchQueryDto) {
    const hits = await this.kb.search(q, limit ?? 5, category);
    return { hits: hits.map(({ id, title, category, score, snippet }) => ({ id, title, category, score, snippet, highlight: highlight(snippet, q) })) };
  }

  // Declared before any route with a path parameter it could be taken for.
  @Get('gaps')
  @RequireScopes('tickets:read')
  @ApiOperation({
    summary: 'Inquiries the knowledge base could not answer, grouped by topic: the articles to write next',
    description:
      'Tickets created in [from, to) whose latest resolution escalated because no article fit (none returned, or none ' +
      'matching KB_MATCH_THRESHOLD), grouped by the words they share (docs/knowledge-gaps.md). Escalations a person must ' +
      'handle anyway (security, legal, refunds, outages, guardrails, account actions) are not gaps. Largest groups first.',
  })
  @ApiOkResponse({ type: KbGapsResponseDto })
  @ApiProblems(400, 503)
  gapReport(@Query() query: KbGapsQueryDto): Promise<KbGapsReport> {
    const { from, to } = resolveReportRange(query, new Date());
    return this.gaps.report({ from, to, category: query.category, minCount: query.min_count ?? 1, limit: query.limit ?? 20 });
  }

  @Get('articles')
  @RequireKey()
  @ApiOperation({ summary: 'List the articles by id, a page at a time (Link rel="next" when there are more)' })
  @ApiOkResponse({ type: [ArticleDto] })
  @ApiProblems(400, 503)
  async list(@Query() { limit = 100, after, category }: ArticleListQueryDto, @Res({ passthrough: true }) res: Response) {
    const page = await this.kb.list({ limit, after, category });
    if (page.length === limit) {
      const next = new URLSearchParams({ limit: String(limit), after: page.at(-1)!.id, ...(category ? { category } : {}) });
      res.setHeader('Link', `</knowledge-base/articles?${next}>; rel="next"`);
    }
    return page;
  }

  @Get('articles/:id')
  @RequireKey()
  @ApiOperation({ summary: 'One article (ETag: its version)' })
  @ApiOkResponse({ type: ArticleDto })
  @ApiParam(ID_EXAMPLE)
  @ApiProblems(404, 503)
  async get(@Param('id') id: string, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.kb.get(id));
  }

  @Post('articles')
  @RequireScopes('kb:write')
  @ApiOperation({ summary: 'Create an article; searchable as soon as this returns' })
  @ApiBody({ type: ArticleWriteDto })
  @ApiCreatedResponse({ type: ArticleDto })
  @ApiProblems(400, 409, 413, 415, 422, 503)
  async create(@Body(new ZodBodyPipe(ArticleWriteSchema), GuardBody({ path: 'title', check: 'instructions' }, { path: 'body', check: 'instructions' })) body: ArticleWrite, @Res({ passthrough: true }) res: Response) {
    const article = await this.kb.create({ ...body, id: body.id ?? generatedId(body.title) });
    res.setHeader('Location', `/knowledge-base/articles/${article.id}`);
    return withEtag(res, article);
  }

  @Put('articles/:id')
  @RequireScopes('kb:write')
  @ApiOperation({ summary: 'Create or replace an article (201 when created, 200 when replaced); the old text stops matching at once' })
  @ApiParam(ID_EXAMPLE)
  @ApiHeader(IF_MATCH)
  @ApiBody({ type: ArticleWriteDto })
  @ApiOkResponse({ type: ArticleDto, description: 'Replaced.' })
  @ApiCreatedResponse({ type: ArticleDto, description: 'Created (no article had this id).' })
  @ApiProblems(400, 412, 413, 415, 422, 503)
  async put(
    @Param('id') id: string,
    @Body(new ZodBodyPipe(ArticleWriteSchema), GuardBody({ path: 'title', check: 'instructions' }, { path: 'body', check: 'instructions' })) body: ArticleWrite,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    if (!ArticleWriteSchema.shape.id.safeParse(id).success) {
      throw ProblemException.validation([{ path: 'params.id', message: 'lowercase letters, digits and dashes (at most 64)' }]);
    }
    if (body.id !== undefined && body.id !== id) throw ProblemException.validation([{ path: 'id', message: 'must equal the id in the path' }]);
    const { article, outcome } = await this.kb.put({ ...body, id }, parseIfMatch(ifMatch, 'the article version'));
    res.status(outcome === 'created' ? 201 : 200);
    return withEtag(res, article);
  }

  @Delete('articles/:id')
  @RequireScopes('kb:write')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an article; it stops appearing in search at once' })
  @ApiParam(ID_EXAMPLE)
  @ApiHeader(IF_MATCH)
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiProblems(404, 412, 503)
  async remove(@Param('id') id: string, @Headers('if-match') ifMatch: string | undefined): Promise<void> {
    await this.kb.remove(id, parseIfMatch(ifMatch, 'the article version'));
  }

  @Post('import')
  @RequireScopes('kb:write')
  @HttpCode(200)
  @ApiOperation({ summary: 'Bulk import of JSON articles and Markdown files (front matter), all or nothing; re-importing the same text changes nothing' })
  @ApiBody({ type: ImportRequestDto })
  @ApiOkResponse({ type: ImportResultDto })
  @ApiProblems(400, 409, 413, 415, 422, 503)
  import(
    @Body(
      new ZodBodyPipe(ImportRequestSchema),
      GuardBody({ path: 'articles[].title', check: 'instructions' }, { path: 'articles[].body', check: 'instructions' }, { path: 'markdown[].content', check: 'instructions' }),
    )
    body: ImportRequest) {
    return this.kb.import(body);
  }
}

function withEtag(res: Response, article: StoredArticle): StoredArticle {
  res.setHeader('ETag', `"${article.version}"`);
  return article;
}

/** A readable id from the title plus a random suffix: "change-your-billing-e-mail-4k2x9q". */
function generatedId(title: string): string {
  const slug = title
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
  return `${slug || 'article'}-${randomBytes(4).readUInt32BE().toString(36).padStart(7, '0').slice(0, 7)}`;
}
