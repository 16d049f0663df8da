import { z } from 'zod';
import { textField } from '../common/validation.js';
import { PRIORITIES } from './taxonomy.js';

/** Channels of the contract (DESIGN §3), plus web and social. */
export const CHANNELS = ['email', 'chat', 'phone', 'web', 'social'] as const;
export const MAX_INQUIRY_CHARS = 20_000;


export const TicketMetadataSchema = z
  .object({
    channel: z.enum(CHANNELS),
    customer_id: z.string().max(200).optional(),
    customer_history: z.string().max(2000).optional(),
  })
  .strict();
export type TicketMetadata = z.infer<typeof TicketMetadataSchema>;

export const TriageRequestSchema = z
  .object({ inquiry_text: textField(MAX_INQUIRY_CHARS), metadata: TicketMetadataSchema })
  .strict();
export type TriageRequest = z.infer<typeof TriageRequestSchema>;

/** `/run_agent/` also takes plain text for triage: an inquiry from the web channel. */
export const TriageAgentInputSchema = z.union([
  TriageRequestSchema,
  textField(MAX_INQUIRY_CHARS).transform((text): TriageRequest => ({ inquiry_text: text, metadata: { channel: 'web' } })),
]);

/** What the triage agent (model) must produce; the enum comes from the configured taxonomy. */
export function triageDecisionSchema(categories: readonly string[]) {
  return z.object({
    category: z.enum(categories as [string, ...string[]]).describe('One of the taxonomy categories.'),
    priority: z.enum(PRIORITIES).describe('High: blocked/outage/security/money at stake; Medium: broken with workaround; Low: how-to, feedback.'),
    confidence: z.number().min(0).max(1).describe('Probability that the category is right.'),
    clarification_needed: z.boolean().describe('True when the inquiry is too vague to act on.'),
  });
}

export function triageResultSchema(categories: readonly string[]) {
  return triageDecisionSchema(categories).extend({ ticket_metadata: TicketMetadataSchema });
}
export type TriageResult = z.infer<ReturnType<typeof triageResultSchema>>;
