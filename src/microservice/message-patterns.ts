import type { Type } from '@nestjs/common';
import { AgentsController } from '../agents/agents.controller.js';
import { MonitoringController } from '../monitoring/monitoring.controller.js';
import { ResolutionController } from '../resolution/resolution.controller.js';
import { TicketsController } from '../tickets/tickets.controller.js';
import { TriageController } from '../triage/triage.controller.js';

/** A message pattern and the HTTP route it runs: same scopes, validation, guardrails, handler and reply. */
export interface MessagePattern {
  pattern: string;
  controller: Type<unknown>;
  method: string;
  /** The route's query parameters, from message headers (HTTP query strings have no message equivalent). */
  query?: (headers: Record<string, string>) => Record<string, string>;
}

export const MESSAGE_PATTERNS: readonly MessagePattern[] = [
  { pattern: 'triage.run', controller: TriageController, method: 'run' },
  { pattern: 'resolution.run', controller: ResolutionController, method: 'run' },
  { pattern: 'monitoring.run', controller: MonitoringController, method: 'run' },
  { pattern: 'agent.run', controller: AgentsController, method: 'run' },
  // POST /tickets?mode=async → header `mode: async` (202-style reply: `{ id, status: "queued" }`).
  { pattern: 'ticket.create', controller: TicketsController, method: 'create', query: (h): Record<string, string> => (h.mode === undefined ? {} : { mode: h.mode }) },
];
