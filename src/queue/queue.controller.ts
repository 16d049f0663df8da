import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '../auth/scopes.js';
import { ApiProblems } from '../common/api-docs.decorators.js';
import { JobDto, JobListQueryDto, JobPageDto } from './queue.dto.js';
import { TicketQueue } from './ticket-queue.service.js';

const JOB_ID = { name: 'id', example: 'ticket-0f8e9c1a-3b7d-4a51-9a52-6f0e7a2d1c44' };

/** The ticket queue for operators: what waits, runs, backs off, and what was dead-lettered. */
@ApiTags('queue')
@Controller('queue/jobs')
export class QueueController {
  constructor(private readonly queue: TicketQueue) {}

  @Get()
  @RequireScopes('tickets:read')
  @ApiOperation({ summary: 'Ticket jobs in one state (default: failed, the dead-letter list). 404 when the queue is off (no REDIS_URL).' })
  @ApiOkResponse({ type: JobPageDto })
  @ApiProblems(400, 404, 503)
  list(@Query() query: JobListQueryDto) {
    return this.queue.list(query.state ?? 'failed', query.offset ?? 0, query.limit ?? 50);
  }

  @Post(':id/retry')
  @RequireScopes('tickets:write')
  @HttpCode(200)
  @ApiOperation({ summary: 'Re-queue a dead-lettered job with fresh attempts; a worker runs its ticket again (409 when the job is not dead-lettered)' })
  @ApiParam(JOB_ID)
  @ApiOkResponse({ type: JobDto })
  @ApiProblems(404, 409, 503)
  retry(@Param('id') id: string) {
    return this.queue.retry(id);
  }
}
