import { ApiProperty } from '@nestjs/swagger';
import { SlaStateDto } from '../sla/sla.dto.js';
import type { HandoffAction, HandoffArticle, HandoffDelivery, HandoffDeliveryStatus, HandoffFollowUp, HandoffPackage, HandoffReasonKind } from './handoff.js';

/**
 * The hand-off package on the wire (GET /tickets/:id/handoff). The classes implement the
 * interfaces of handoff.ts, so the compiler keeps the documented shape and the built one
 * together. Every name starts with Handoff: Swagger needs DTO names unique across features.
 */
const REASON_KINDS: HandoffReasonKind[] = ['policy', 'no_article_fit', 'guardrail', 'approval_expired', 'approval_rejected', 'run_failed', 'sla', 'token_budget', 'agent', 'unknown'];
const DELIVERY_STATUSES: HandoffDeliveryStatus[] = ['pending', 'sending', 'delivered', 'failed', 'not_configured'];

export class HandoffCustomerDto {
  @ApiProperty({ example: '12345', nullable: true, type: String }) customer_id!: string | null;
  @ApiProperty({ example: 'email', nullable: true, type: String }) channel!: string | null;
  @ApiProperty({ example: 'VIP, 2 prior tickets', nullable: true, type: String }) customer_history!: string | null;
}

export class HandoffFollowUpDto implements HandoffFollowUp {
  @ApiProperty({ example: '2026-11-25T10:14:03.000Z' }) at!: string;
  @ApiProperty({ example: 'It also sent a login alert from a city I have never been to.', description: 'The customer reply as stored (redacted), at most 1,000 characters.' })
  message!: string;
  @ApiProperty({ example: false, description: 'A guardrail stopped this reply: it is not repeated in the Markdown view or the webhook.' }) flagged!: boolean;
}

export class HandoffAskedDto {
  @ApiProperty({ example: 'I think someone hacked my account and changed my email to [EMAIL_1].', description: 'The inquiry as stored (redacted), at most 2,000 characters.' })
  inquiry!: string;
  @ApiProperty({ example: false, description: 'A guardrail stopped the inquiry: it is not repeated in the Markdown view or the webhook.' }) inquiry_flagged!: boolean;
  @ApiProperty({ type: [HandoffFollowUpDto], description: 'The last five customer replies, oldest first.' }) follow_ups!: HandoffFollowUpDto[];
}

export class HandoffTriageDto {
  @ApiProperty({ example: 'technical', nullable: true, type: String }) category!: string | null;
  @ApiProperty({ example: 'High', nullable: true, type: String }) priority!: string | null;
  @ApiProperty({ example: 0.82, nullable: true, type: Number }) confidence!: number | null;
  @ApiProperty({ example: false, nullable: true, type: Boolean }) clarification_needed!: boolean | null;
}

export class HandoffArticleDto implements HandoffArticle {
  @ApiProperty({ example: 'kb-0001' }) id!: string;
  @ApiProperty({ example: 'Reset your password', nullable: true, type: String }) title!: string | null;
  @ApiProperty({ example: 0.42, nullable: true, type: Number, description: 'How well the article covered the inquiry (0..1), when the run recorded it.' }) match!: number | null;
}

export class HandoffActionDto implements HandoffAction {
  @ApiProperty({ example: 'issue_refund' }) action!: string;
  @ApiProperty({ example: { amount: 80, currency: 'USD', charge_reference: 'INV-2026-0042', reason: 'Charged twice for November' } }) arguments!: Record<string, unknown>;
  @ApiProperty({ example: 'expired', description: 'The approval status (pending, approved, rejected, expired, cancelled), or "executed" for an action run without one.' }) status!: string;
  @ApiProperty({ example: null, nullable: true, type: String, description: 'Who decided or authorised it (the approver, or "policy").' }) by!: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) reason!: string | null;
  @ApiProperty({ example: '2026-11-26T10:00:00.000Z' }) at!: string;
  @ApiProperty({ example: null, nullable: true, type: Object, description: 'What the executed action did; null when it did not run.' }) outcome!: Record<string, unknown> | null;
}

export class HandoffSentimentDto {
  @ApiProperty({ enum: ['negative', 'neutral', 'positive'], example: 'negative' }) label!: 'negative' | 'neutral' | 'positive';
  @ApiProperty({ type: [String], example: ['angry or frustrated wording', 'says it is urgent'] }) cues!: string[];
}


export class HandoffDeliveryDto implements HandoffDelivery {
  @ApiProperty({ enum: DELIVERY_STATUSES, example: 'delivered' }) status!: HandoffDeliveryStatus;
  @ApiProperty({ example: 1 }) attempts!: number;
  @ApiProperty({ example: 200, nullable: true, type: Number }) http_status!: number | null;
  @ApiProperty({ example: '2026-11-25T10:00:02.010Z' }) at!: string;
  @ApiProperty({ example: null, nullable: true, type: String }) lease_until!: string | null;
  @ApiProperty({ example: null, nullable: true, type: String, description: 'Why it was not delivered (e.g. "webhook answered 400", "network error (ECONNREFUSED)").' })
  error!: string | null;
}

export class HandoffPackageDto implements HandoffPackage {
  @ApiProperty({ example: '0f8e9c1a-3b7d-4a51-9a52-6f0e7a2d1c44:7', description: 'One per escalation (ticket id and the escalating event id); the webhook sends it as Idempotency-Key and X-Handoff-Id.' })
  handoff_id!: string;
  @ApiProperty({ example: '0f8e9c1a-3b7d-4a51-9a52-6f0e7a2d1c44' }) ticket_id!: string;
  @ApiProperty({ example: 'escalated', description: 'The ticket status now.' }) status!: string;
  @ApiProperty({ example: 'Escalated to security: possible security incident.', description: 'Why a person is needed, one sentence.' }) reason!: string;
  @ApiProperty({ enum: REASON_KINDS, example: 'policy' }) reason_kind!: HandoffReasonKind;
  @ApiProperty({ example: 'security', nullable: true, type: String, description: 'The team the escalation rules named.' }) team!: string | null;
  @ApiProperty({ example: '7', description: 'The event that escalated the ticket.' }) escalation_event_id!: string;
  @ApiProperty({ example: '2026-11-25T10:00:01.231Z' }) escalated_at!: string;
  @ApiProperty({ example: null, nullable: true, type: String, description: 'The person who took the ticket over.' }) assignee!: string | null;
  @ApiProperty({ type: HandoffCustomerDto }) customer!: HandoffCustomerDto;
  @ApiProperty({ type: HandoffAskedDto }) asked!: HandoffAskedDto;
  @ApiProperty({ type: HandoffTriageDto }) triage!: HandoffTriageDto;
  @ApiProperty({ type: [HandoffArticleDto], description: 'Best match first.' }) articles_consulted!: HandoffArticleDto[];
  @ApiProperty({ type: [HandoffActionDto], description: 'Account actions proposed (approvals) and executed, oldest first.' }) actions!: HandoffActionDto[];
  @ApiProperty({ type: HandoffSentimentDto }) sentiment!: HandoffSentimentDto;
  @ApiProperty({ type: SlaStateDto, description: "The ticket's SLA from its policy clocks (the resolution_time clock when the policy sets one), computed when the package is read or posted." }) sla!: SlaStateDto;
  @ApiProperty({
    example:
      'Hello,\n\nThank you for letting us know. Keeping your account safe is our priority, and a member of our security team is now looking into this personally; they will contact you directly.\n\nIn the meantime, you may find our help article "Reset your password" (kb-0001) useful.\n\nFor your safety, please do not send passwords or full card numbers in this conversation.\n\nBest regards,\n[Your name]',
    description: 'A draft for the person to edit before sending.',
  })
  suggested_reply!: string;
  @ApiProperty({ example: 'slack:#support-escalations' }) escalation_channel!: string;
  @ApiProperty({ type: HandoffDeliveryDto, nullable: true, description: 'The webhook delivery (null: built on request, never stored or sent).' }) delivery!: HandoffDeliveryDto | null;
  @ApiProperty({ example: '2026-11-25T10:00:01.240Z' }) built_at!: string;
}
