import 'reflect-metadata';
import type { ArgumentMetadata } from '@nestjs/common';
import type { z } from 'zod';
import { ResolutionRequestDto } from '../resolution/resolution.dto.js';
import { ResolutionRequestSchema } from '../resolution/resolution.schemas.js';
import { TriageRequestDto } from '../triage/triage.dto.js';
import { TriageRequestSchema } from '../triage/triage.schemas.js';
import { ProblemException } from './problem-details.js';
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
  } catch (err) {
    // Only a 400 problem counts as "rejected"; anything else would be a 500 in production.
    if (err instanceof ProblemException && err.problem.status === 400) return false;
    throw err;
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
  ['triage: null optional field', TriageRequestDto, TriageRequestSchema, { ...triage, metadata: { channel: 'email', customer_id: null } }, false],
  ['triage: null history', TriageRequestDto, TriageRequestSchema, { ...triage, metadata: { channel: 'email', customer_history: null } }, false],
  ['triage: NUL and zero-width only', TriageRequestDto, TriageRequestSchema, { ...triage, inquiry_text: '\u0000\u200b\u200b' }, false],
  ['triage: emoji only', TriageRequestDto, TriageRequestSchema, { ...triage, inquiry_text: '😡😡' }, false],
  ['triage: non-Latin text', TriageRequestDto, TriageRequestSchema, { ...triage, inquiry_text: 'لا أستطيع تسجيل الدخول' }, true],
  ['resolution: valid', ResolutionRequestDto, ResolutionRequestSchema, { ticket, inquiry_text: 'help' }, true],
  ['resolution: confidence > 1', ResolutionRequestDto, ResolutionRequestSchema, { ticket: { ...ticket, confidence: 1.5 }, inquiry_text: 'x' }, false],
  ['resolution: bad priority', ResolutionRequestDto, ResolutionRequestSchema, { ticket: { ...ticket, priority: 'P1' }, inquiry_text: 'x' }, false],
  ['resolution: string boolean', ResolutionRequestDto, ResolutionRequestSchema, { ticket: { ...ticket, clarification_needed: 'no' }, inquiry_text: 'x' }, false],
  ['resolution: unknown ticket field', ResolutionRequestDto, ResolutionRequestSchema, { ticket: { ...ticket, sla: 1 }, inquiry_text: 'x' }, false],
  ['resolution: no ticket', ResolutionRequestDto, ResolutionRequestSchema, { inquiry_text: 'x' }, false],
  ['resolution: null confidence', ResolutionRequestDto, ResolutionRequestSchema, { ticket: { ...ticket, confidence: null }, inquiry_text: 'x' }, false],
];

describe('class-validator DTOs and zod schemas agree', () => {
  it.each(cases)('%s', async (_name, dto, schema, body, valid) => {
    expect(await dtoAccepts(dto, body)).toBe(valid);
    expect(schema.safeParse(body).success).toBe(valid);
  });
});
