import { Injectable } from '@nestjs/common';
import { ProblemException, problem } from '../common/problem-details.js';
import { alertCursor, isAlertId, toAlertLogItem } from './alert-log.js';
import type { AlertFilter } from './alerts.repository.js';
import { AlertsRepository } from './alerts.repository.js';
import type { AlertLogItem } from './alerts.types.js';

/** Reads the delivery log for GET /monitoring/alerts. */
@Injectable()
export class AlertsService {
  constructor(private readonly alerts: AlertsRepository) {}

  async list(query: Omit<AlertFilter, 'before'> & { cursor?: string }): Promise<{ alerts: AlertLogItem[]; next_cursor: string | null }> {
    const before = query.cursor === undefined ? undefined : alertCursor.decode(query.cursor);
    if (query.cursor !== undefined && !before) throw ProblemException.validation([{ path: 'cursor', message: 'is not a cursor returned by GET /monitoring/alerts' }]);
    const { cursor: _cursor, ...filter } = query;
    const rows = await this.alerts.list({ ...filter, before, limit: query.limit + 1 });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return { alerts: page.map(toAlertLogItem), next_cursor: rows.length > query.limit && last ? alertCursor.encode(last.createdAt, last.id) : null };
  }

  async get(id: string): Promise<AlertLogItem> {
    const row = isAlertId(id) ? await this.alerts.get(id) : undefined;
    if (!row) throw new ProblemException(problem(404, 'alert-not-found', `No alert "${id.length > 80 ? `${id.slice(0, 80)}…` : id}".`));
    return toAlertLogItem(row);
  }
}
