import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../common/api-docs.decorators.js';
import { ArticleDto, SearchQueryDto, SearchResponseDto } from './knowledge-base.dto.js';
import { KnowledgeBaseService } from './knowledge-base.service.js';

@ApiTags('knowledge-base')
@Controller('knowledge-base')
export class KnowledgeBaseController {
  constructor(private readonly kb: KnowledgeBaseService) {}

  @Get('search')
  @ApiOperation({ summary: 'Ranked full-text search (BM25+) over the articles, best first' })
  @ApiOkResponse({ type: SearchResponseDto })
  @ApiProblems(400)
  search(@Query() { q, limit, category }: SearchQueryDto) {
    return { hits: this.kb.search(q, limit ?? 5, category).map(({ id, title, score, snippet }) => ({ id, title, score, snippet })) };
  }

  @Get('articles')
  @ApiOperation({ summary: 'List the articles' })
  @ApiOkResponse({ type: [ArticleDto] })
  list() {
    return this.kb.list();
  }

  @Get('articles/:id')
  @ApiOperation({ summary: 'One article' })
  @ApiOkResponse({ type: ArticleDto })
  @ApiParam({ name: 'id', example: 'kb-0001' })
  @ApiProblems(404)
  get(@Param('id') id: string) {
    return this.kb.get(id);
  }
}
