import { z } from 'zod';
import { textField } from '../common/validation.js';
import { TicketMetadataSchema, MAX_INQUIRY_CHARS } from '../triage/triage.schemas.js';
import { PRIORITIES } from '../triage/taxonomy.js';

export const TICKET_STATUSES = ['resolved', 'escalated', 'pending further action'] as const;

const inquiryText = textField(MAX_INQUIRY_CHARS);

/** A triage result as input (the category is checked against the taxonomy by the agent). */
export const TicketSchema = z
  .object({
    category: z.string().min(1).max(64),
    priority: z.enum(PRIORITIES),
    confidence: z.number().min(0).max(1),
    ticket_metadata: TicketMetadataSchema,
    clarification_needed: z.boolean(),
  })
  .strict();

export const ResolutionRequestSchema = z.object({ ticket: TicketSchema, inquiry_text: inquiryText }).strict();
export type ResolutionRequest = z.infer<typeof ResolutionRequestSchema>;

/** `/run_agent/` may pass plain text: it is triaged first, then resolved. */
export const ResolutionAgentInputSchema = z.union([ResolutionRequestSchema, inquiryText]);
export type ResolutionAgentInput = z.infer<typeof ResolutionAgentInputSchema>;

/** What the resolution agent (model) produces; the escalation channel is set by configuration. */
export const ResolutionDecisionSchema = z.object({
  resolution_reply: z.string().describe('The reply to send to the customer.'),
  ticket_status: z.enum(TICKET_STATUSES),
  resolution_notes: z.string().describe('Internal notes: which article was used (its id), or why it was escalated.'),
});
export type ResolutionDecision = z.infer<typeof ResolutionDecisionSchema>;

export const ResolutionResultSchema = ResolutionDecisionSchema.extend({ escalation_channel: z.string().nullable() });
export type ResolutionResult = z.infer<typeof ResolutionResultSchema>;
