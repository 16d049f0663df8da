/** Deterministic request bodies for the benchmarks, from the shipped examples. */
import { readFileSync } from 'node:fs';
import { HAS_TEXT } from '../src/common/validation.js';
import { seededRandom } from '../src/triage/classifier/softmax-regression.js';
import type { TicketUpdate } from '../src/monitoring/ticket-facts.js';

const CHANNELS = ['email', 'chat', 'phone', 'web'] as const;

/**
 * The shipped labeled inquiries (varied length and wording), as request texts; less the
 * training examples the API rightly refuses (a lone "?" has no letters or digits).
 */
export function inquiries(): string[] {
  return ['technical', 'billing', 'general'].flatMap((f) =>
    readFileSync(`data/triage/${f}.jsonl`, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { text: string }).text)
      .filter((text) => HAS_TEXT.test(text)),
  );
}

export function triageBodies(texts: string[]) {
  return texts.map((inquiry_text, i) => ({ inquiry_text, metadata: { channel: CHANNELS[i % CHANNELS.length]!, customer_id: `c-${i}` } }));
}

export function resolutionBodies(texts: string[]) {
  return texts.map((inquiry_text, i) => ({
    ticket: { category: ['technical', 'billing', 'general'][i % 3]!, priority: 'Medium', confidence: 0.8, ticket_metadata: { channel: CHANNELS[i % CHANNELS.length]! }, clarification_needed: false },
    inquiry_text,
  }));
}

/** Search-box queries of the evaluation set (paraphrases, typos, short and long). */
export function searchQueries(): string[] {
  return readFileSync('data/eval/kb-queries.jsonl', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { query: string }).query);
}

/**
 * `count` ticket updates over count/4 tickets: open → in progress → resolved, some reopened
 * and closed, CSAT on some, over 30 days; events only (the heavier form to validate).
 */
export function ticketUpdates(count: number, seed = 11): TicketUpdate[] {
  const rand = seededRandom(seed);
  const start = Date.parse('2026-10-01T00:00:00Z');
  const updates: TicketUpdate[] = [];
  const priorities = ['High', 'Medium', 'Low'] as const;
  for (let t = 0; updates.length < count; t++) {
    const id = `T-${t}`;
    let at = start + rand() * 30 * 86_400_000;
    const step = (status: TicketUpdate['status'], actor: TicketUpdate['actor'], extra: Partial<TicketUpdate> = {}) => {
      if (updates.length < count) updates.push({ ticket_id: id, status, actor, timestamp: new Date(at).toISOString(), ...extra });
      at += rand() * 20 * 3_600_000;
    };
    step('open', 'customer', { priority: priorities[t % 3]!, category: ['technical', 'billing', 'general'][t % 3]! });
    step('in_progress', 'agent');
    if (rand() < 0.8) step('resolved', 'agent', rand() < 0.5 ? { csat: 1 + Math.floor(rand() * 5) } : {});
    if (rand() < 0.1) step('reopened', 'customer');
    else step('closed', 'system');
  }
  return updates;
}
