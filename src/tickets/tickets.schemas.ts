import { z } from 'zod';
import { textField } from '../common/validation.js';
import { MAX_INQUIRY_CHARS } from '../triage/triage.schemas.js';
import type { TicketStatus } from './ticket-status.js';

const message = textField(MAX_INQUIRY_CHARS);
const author = z.string().min(1).max(200).optional().describe('Who wrote it (name or helpdesk user id).');
const note = z.string().max(5_000).optional();

/** Body of POST /tickets/:id/events: one of the updates a person or a helpdesk sends. */
export const TicketEventRequestSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('agent_reply'), message, author }).strict(),
  z.object({ type: z.literal('customer_reply'), message }).strict(),
  z.object({ type: z.literal('note'), message, author }).strict(),
  z.object({ type: z.literal('resolved'), note, author }).strict(),
  z.object({ type: z.literal('reopened'), reason: note }).strict(),
  z.object({ type: z.literal('closed'), note, author }).strict(),
  z.object({ type: z.literal('csat'), score: z.number().int().min(1).max(5), comment: z.string().max(2_000).optional() }).strict(),
  // A person takes the ticket from the agents (pending approvals are cancelled), or gives it back to them.
  z.object({ type: z.literal('take_over'), note, author }).strict(),
  z.object({ type: z.literal('handback'), note, author }).strict(),
]);
export type TicketEventRequest = z.infer<typeof TicketEventRequestSchema>;

export interface TicketListQuery {
  status?: TicketStatus[];
  category?: string;
  priority?: string;
  channel?: string;
  customer_id?: string;
  flagged?: boolean;
  created_from?: Date;
  created_to?: Date;
  cursor?: string;
  limit: number;
}
