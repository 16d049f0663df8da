import 'reflect-metadata';
import type { ArgumentMetadata } from '@nestjs/common';
import type { z } from 'zod';
import { MonitoringRequestDto } from '../monitoring/monitoring.dto.js';
import { MonitoringRequestSchema } from '../monitoring/monitoring.schemas.js';
import { slaTargetErrors } from '../monitoring/sla.js';
import { ResolutionRequestDto } from '../resolution/resolution.dto.js';
import { ResolutionRequestSchema } from '../resolution/resolution.schemas.js';
import { TriageRequestDto } from '../triage/triage.dto.js';
import { TriageRequestSchema } from '../triage/triage.schemas.js';
import { createValidationPipe } from './validation.js';

/**
 * The HTTP DTOs (class-validator) and the agents' input schemas (zod, used by /run_agent/)
 * describe the same shapes; these cases prove they accept and reject the same bodies.
 */
const pipe = createValidationPipe();

async function dtoAccepts(metatype: ArgumentMetadata['metatype'], body: unknown): Promise<boolean> {
  try {
    await pipe.transform(structuredClone(body), { type: 'body', metatype });
    return true;
  } catch {
    return false;
  }
}

const meta = { channel: 'email', customer_id: '12345', customer_history: 'VIP' };
const triage = { inquiry_text: "I can't log in", metadata: meta };
const ticket = { category: 'technical', priority: 'High', confidence: 0.9, ticket_metadata: meta, clarification_needed: false };

const cases: [string, ArgumentMetadata['metatype'], z.ZodType, unknown, boolean][] = [
  ['triage: valid', TriageRequestDto, TriageRequestSchema, triage, true],
  ['triage: minimal metadata', TriageRequestDto, TriageRequestSchema, { inquiry_text: 'x', metadata: { channel: 'chat' } }, true],
  ['triage: missing text', TriageRequestDto, TriageRequestSchema, { metadata: meta }, false],
  ['triage: blank text', TriageRequestDto, TriageRequestSchema, { ...triage, inquiry_text: ' \n ' }, false],
  ['triage: text too long', TriageRequestDto, TriageRequestSchema, { ...triage, inquiry_text: 'a'.repeat(20_001) }, false],
  ['triage: number text', TriageRequestDto, TriageRequestSchema, { ...triage, inquiry_text: 5 }, false],
  ['triage: bad channel', TriageRequestDto, TriageRequestSchema, { ...triage, metadata: { channel: 'fax' } }, false],
  ['triage: unknown field', TriageRequestDto, TriageRequestSchema, { ...triage, extra: 1 }, false],
  ['triage: unknown metadata field', TriageRequestDto, TriageRequestSchema, { ...triage, metadata: { ...meta, tier: 'gold' } }, false],
  ['triage: numeric customer_id', TriageRequestDto, TriageRequestSchema, { ...triage, metadata: { channel: 'email', customer_id: 12345 } }, false],
  ['triage: metadata null', TriageRequestDto, TriageRequestSchema, { ...triage, metadata: null }, false],
  ['resolution: valid', ResolutionRequestDto, ResolutionRequestSchema, { ticket, inquiry_text: 'help' }, true],
  ['resolution: confidence > 1', ResolutionRequestDto, ResolutionRequestSchema, { ticket: { ...ticket, confidence: 1.5 }, inquiry_text: 'x' }, false],
  ['resolution: bad priority', ResolutionRequestDto, ResolutionRequestSchema, { ticket: { ...ticket, priority: 'P1' }, inquiry_text: 'x' }, false],
  ['resolution: string boolean', ResolutionRequestDto, ResolutionRequestSchema, { ticket: { ...ticket, clarification_needed: 'no' }, inquiry_text: 'x' }, false],
  ['resolution: unknown ticket field', ResolutionRequestDto, ResolutionRequestSchema, { ticket: { ...ticket, sla: 1 }, inquiry_text: 'x' }, false],
  ['resolution: no ticket', ResolutionRequestDto, ResolutionRequestSchema, { inquiry_text: 'x' }, false],
];

const event = { ticket_id: 'T-1', status: 'open', timestamp: '2026-11-24T09:00:00Z', actor: 'customer', priority: 'High' };
const snapshot = { ticket_id: 'T-2', created_at: '2026-11-24T09:00:00Z', resolved_at: '2026-11-24T10:00:00+01:00', csat: 4 };
const monitoring: [string, unknown, boolean][] = [
  ['both forms', { ticket_updates: [event, snapshot], sla_targets: { sla_compliance: 0.9 } }, true],
  ['empty list', { ticket_updates: [] }, true],
  ['date-only timestamp', { ticket_updates: [{ ...event, timestamp: '2026-11-24' }] }, true],
  ['local time without offset', { ticket_updates: [{ ...event, timestamp: '2026-11-24T09:00:00' }] }, false],
  ['impossible date', { ticket_updates: [{ ...event, timestamp: '2026-13-45T09:00:00Z' }] }, false],
  ['event without status', { ticket_updates: [{ ticket_id: 'T', timestamp: '2026-11-24T09:00:00Z' }] }, false],
  ['event field on a snapshot', { ticket_updates: [{ ...snapshot, status: 'open' }] }, false],
  ['snapshot field on an event', { ticket_updates: [{ ...event, resolved_at: '2026-11-24T10:00:00Z' }] }, false],
  ['csat 0', { ticket_updates: [{ ...snapshot, csat: 0 }] }, false],
  ['csat 4.5', { ticket_updates: [{ ...snapshot, csat: 4.5 }] }, false],
  ['empty ticket id', { ticket_updates: [{ ...snapshot, ticket_id: '' }] }, false],
  ['unknown target', { ticket_updates: [], sla_targets: { nps: 50 } }, false],
  ['negative target', { ticket_updates: [], sla_targets: { backlog: -1 } }, false],
  ['missing list', { sla_targets: {} }, false],
];

describe('class-validator DTOs and zod schemas agree', () => {
  it.each(cases)('%s', async (_name, dto, schema, body, valid) => {
    expect(await dtoAccepts(dto, body)).toBe(valid);
    expect(schema.safeParse(body).success).toBe(valid);
  });

  it.each(monitoring)('monitoring: %s', async (_name, body, valid) => {
    // The HTTP path checks sla_targets keys in the service (to list the known ones).
    const targets = (body as { sla_targets?: unknown }).sla_targets;
    expect((await dtoAccepts(MonitoringRequestDto, body)) && slaTargetErrors(targets).length === 0).toBe(valid);
    expect(MonitoringRequestSchema.safeParse(body).success).toBe(valid);
  });
});
