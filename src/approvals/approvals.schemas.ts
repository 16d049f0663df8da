import { z } from 'zod';

/** A person's decision on an approval. Rejecting needs a reason (the audit trail and the hand-off show it). */
const approver = z.string().trim().min(1).max(200).optional().describe('Who decided (the person in your helpdesk); defaults to the API key name.');
export const ApproveRequestSchema = z.object({ reason: z.string().trim().min(1).max(2_000).optional(), approver }).strict();
export const RejectRequestSchema = z.object({ reason: z.string({ error: 'a rejection needs a reason' }).trim().min(1, 'a rejection needs a reason').max(2_000), approver }).strict();
export type DecisionRequest = z.infer<typeof ApproveRequestSchema>;

export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'expired', 'cancelled'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];
