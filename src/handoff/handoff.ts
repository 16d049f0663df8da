import type { AccountActionRow, ApprovalRow, TicketEventRow, TicketRow } from '../database/schema.js';
import type { SlaState } from '../sla/sla-state.js';
import { prioritySignals } from '../triage/priority-rules.js';

/**
 * The hand-off package of an escalated ticket: what a person taking it over from the agents
 * needs on one screen (why, who, what was asked, what the agents did, how the customer feels,
 * the deadline, a draft reply). Pure: built from the stored rows, tested without a database.
 */

/** Why a person is needed, as a kind the suggested reply is tailored to. */
export type HandoffReasonKind = 'policy' | 'no_article_fit' | 'guardrail' | 'approval_expired' | 'approval_rejected' | 'run_failed' | 'sla' | 'token_budget' | 'agent' | 'unknown';

export interface HandoffFollowUp {
  at: string;
  message: string;
  /** A guardrail stopped this message: shown in the package, never quoted in views posted elsewhere. */
  flagged: boolean;
}

export interface HandoffArticle {
  id: string;
  title: string | null;
  /** How well the article covered the inquiry (0..1), when the run recorded it. */
  match: number | null;
}

export interface HandoffAction {
  action: string;
  arguments: Record<string, unknown>;
  /** An approval's status (pending, approved, rejected, expired, cancelled), or "executed" for an action run without one. */
  status: string;
  /** Who decided or authorised it (the approver's key name, "policy"). */
  by: string | null;
  reason: string | null;
  at: string;
  /** What the executed action did (null: not executed). */
  outcome: Record<string, unknown> | null;
}

export type HandoffDeliveryStatus = 'pending' | 'sending' | 'delivered' | 'failed' | 'not_configured';

/** Where the package went (set by the service, not the builder). */
export interface HandoffDelivery {
  status: HandoffDeliveryStatus;
  attempts: number;
  http_status: number | null;
  /** When the status was set. */
  at: string;
  /** While sending: until when this instance owns the delivery (a crashed sender's is taken over after). */
  lease_until: string | null;
  error: string | null;
}

export interface HandoffPackage {
  /** `<ticket id>:<id of the event that escalated it>`: one per escalation; receivers de-duplicate on it. */
  handoff_id: string;
  ticket_id: string;
  status: string;
  /** Why a person is needed, one sentence. */
  reason: string;
  reason_kind: HandoffReasonKind;
  /** The team the escalation rules named (security, legal, billing…), when they named one. */
  team: string | null;
  escalation_event_id: string;
  escalated_at: string;
  assignee: string | null;
  customer: { customer_id: string | null; channel: string | null; customer_history: string | null };
  asked: { inquiry: string; inquiry_flagged: boolean; follow_ups: HandoffFollowUp[] };
  triage: { category: string | null; priority: string | null; confidence: number | null; clarification_needed: boolean | null };
  articles_consulted: HandoffArticle[];
  actions: HandoffAction[];
  sentiment: { label: 'negative' | 'neutral' | 'positive'; cues: string[] };
  /** From the ticket's SLA policy clocks (src/sla/sla-state.ts), as of when it was built, posted or read. */
  sla: SlaState;
  /** A draft reply for the person to edit: never quotes flagged text, never states an amount. */
  suggested_reply: string;
  escalation_channel: string;
  delivery: HandoffDelivery | null;
  built_at: string;
}

export interface HandoffInput {
  ticket: TicketRow;
  events: TicketEventRow[];
  approvals: ApprovalRow[];
  actions: AccountActionRow[];
  /** Knowledge-base titles by article id, for articles a run named only by id. */
  articleTitles?: Record<string, string>;
  /** ESCALATION_CHANNEL, when the resolution did not name one. */
  escalationChannel: string;
  /** The ticket's SLA from its policy clocks (SlaService), computed by the caller at `now`. */
  sla: SlaState;
}

/** Longest inquiry and follow-up kept in the package (the ticket has the full text). */
export const MAX_INQUIRY_CHARS = 2_000;
export const MAX_FOLLOW_UP_CHARS = 1_000;
export const MAX_FOLLOW_UPS = 5;
const MAX_ARTICLES = 8;
const MAX_ACTIONS = 10;

/**
 * Event types that escalate a ticket when they leave it "escalated" (`data.status`, which every
 * event records). A customer reply counts only when a guardrail stopped it; replies, notes and
 * take-overs on an already escalated ticket are not new escalations.
 */
export const ESCALATION_EVENT_TYPES = ['resolution', 'guardrail_tripped', 'approval_expired', 'approval_decided', 'approval_rejected', 'run_failed', 'escalated', 'sla_escalated', 'token_budget_exceeded'] as const;

export function isEscalationEvent(e: Pick<TicketEventRow, 'type' | 'data'>): boolean {
  if (e.data.status !== 'escalated') return false;
  return (ESCALATION_EVENT_TYPES as readonly string[]).includes(e.type) || (e.type === 'customer_reply' && typeof e.data.guardrail === 'object' && e.data.guardrail !== null);
}

/** The event that escalated the ticket most recently (undefined: none recorded as such). */
export function escalationEvent(events: TicketEventRow[]): TicketEventRow | undefined {
  return events.findLast(isEscalationEvent);
}

export function handoffId(ticketId: string, escalationEventId: number | string): string {
  return `${ticketId}:${escalationEventId}`;
}

export function buildHandoff(input: HandoffInput, now: Date = new Date()): HandoffPackage {
  const { ticket, events } = input;
  // An escalation recorded some other way (an older writer): the latest event stands for it.
  const escalation = escalationEvent(events) ?? events.at(-1);
  const escalationId = escalation ? String(escalation.id) : '0';
  const resolutionEvent = events.findLast((e) => e.type === 'resolution' && (!escalation || e.id <= escalation.id));
  const resolution = (record(resolutionEvent?.data.output) ?? record(ticket.resolution)) as { resolution_notes?: unknown; escalation_channel?: unknown } | undefined;
  const notes = typeof resolution?.resolution_notes === 'string' ? resolution.resolution_notes : '';
  const why = reasonOf(ticket, escalation, events, notes, input.approvals, resolutionEvent);
  const articles = articlesOf(resolutionEvent, notes, input.articleTitles ?? {});
  const metadata = ticket.metadata as { channel?: unknown; customer_id?: unknown; customer_history?: unknown };
  const triage = record(ticket.triage) as { category?: unknown; priority?: unknown; confidence?: unknown; clarification_needed?: unknown } | undefined;
  const review = record(ticket.review);
  // A guardrail of the agents' run read the inquiry and the replies as one text: all of it is flagged.
  const conversationFlagged = escalation?.type === 'guardrail_tripped' && escalation.data.stage != null;
  const replies = events.filter((e) => e.type === 'customer_reply' && typeof e.data.message === 'string');
  const followUps = replies.slice(-MAX_FOLLOW_UPS).map((e) => ({
    at: e.at.toISOString(),
    message: truncate(clean(e.data.message as string), MAX_FOLLOW_UP_CHARS),
    flagged: conversationFlagged || e.data.guardrail != null,
  }));
  const actions = actionsOf(input.approvals, input.actions);
  return {
    handoff_id: handoffId(ticket.id, escalationId),
    ticket_id: ticket.id,
    status: ticket.status,
    reason: why.reason,
    reason_kind: why.kind,
    team: why.team,
    escalation_event_id: escalationId,
    escalated_at: (escalation?.at ?? ticket.updatedAt).toISOString(),
    assignee: ticket.assignee ?? null,
    customer: {
      customer_id: str(metadata.customer_id) ?? ticket.customerId ?? null,
      channel: str(metadata.channel) ?? ticket.channel ?? null,
      customer_history: str(metadata.customer_history) ?? null,
    },
    asked: {
      inquiry: truncate(clean(ticket.inquiryText), MAX_INQUIRY_CHARS),
      inquiry_flagged: conversationFlagged || review?.field === 'inquiry_text',
      follow_ups: followUps,
    },
    triage: {
      category: str(triage?.category) ?? ticket.category ?? null,
      priority: str(triage?.priority) ?? ticket.priority ?? null,
      confidence: typeof triage?.confidence === 'number' ? triage.confidence : null,
      clarification_needed: typeof triage?.clarification_needed === 'boolean' ? triage.clarification_needed : null,
    },
    articles_consulted: articles,
    actions,
    sentiment: sentimentOf([ticket.inquiryText, ...replies.map((e) => e.data.message as string)], str(metadata.customer_history)),
    sla: input.sla,
    suggested_reply: suggestedReply(why.kind, why.team, draftArticle(why.kind, articles), why.action),
    escalation_channel: str(resolution?.escalation_channel) ?? input.escalationChannel,
    delivery: null,
    built_at: now.toISOString(),
  };
}

// ---------------------------------------------------------------------------------------------
// Why a person is needed

interface Why {
  kind: HandoffReasonKind;
  reason: string;
  team: string | null;
  /** The account action a settled approval was for. */
  action?: string;
}

interface SettledApproval {
  status: string;
  action: string;
  arguments: Record<string, unknown>;
  by: string | null;
  reason: string | null;
  requestedAt: Date | null;
}

/**
 * The expired or rejected approval that led to this escalation: named by the escalating event
 * (approval_expired lists its approvals), or — when the resumed run escalated after a person
 * declined its action — the rejection recorded between the pause and the escalation.
 */
function settledApproval(escalation: TicketEventRow | undefined, events: TicketEventRow[], approvals: ApprovalRow[]): SettledApproval | undefined {
  if (!escalation) return undefined;
  const data = escalation.data;
  const fromRow = (a: ApprovalRow | undefined): SettledApproval | undefined =>
    a && { status: a.status, action: a.action, arguments: a.arguments, by: a.decidedBy, reason: a.reason, requestedAt: a.requestedAt };
  if (escalation.type === 'approval_expired') {
    const ids = Array.isArray(data.approvals) ? data.approvals.map((a) => record(a)?.id) : [data.approval_id];
    const named = approvals.find((a) => ids.includes(a.id));
    const listed = record(Array.isArray(data.approvals) ? data.approvals[0] : undefined);
    return (
      fromRow(named) ??
      (listed && typeof listed.action === 'string'
        ? { status: 'expired', action: listed.action, arguments: record(listed.arguments) ?? {}, by: null, reason: null, requestedAt: null }
        : { status: 'expired', action: 'account_action', arguments: {}, by: null, reason: null, requestedAt: null })
    );
  }
  let decided: TicketEventRow | undefined;
  if (escalation.type === 'approval_decided' || escalation.type === 'approval_rejected') decided = escalation;
  else if (escalation.type === 'resolution') {
    const paused = events.findLast((e) => e.type === 'approval_requested' && e.id < escalation.id);
    decided = paused && events.findLast((e) => e.type === 'approval_decided' && e.id > paused.id && e.id < escalation.id && e.data.decision === 'rejected');
  }
  if (!decided) return undefined;
  const row = fromRow(approvals.find((a) => a.id === decided.data.approval_id));
  if (row) return row.status === 'rejected' || row.status === 'expired' ? row : undefined;
  if (decided.data.decision !== 'rejected' && decided.type !== 'approval_rejected') return undefined;
  return {
    status: 'rejected',
    action: str(decided.data.action) ?? 'account_action',
    arguments: record(decided.data.arguments) ?? {},
    by: str(decided.data.by) ?? str(decided.data.decided_by) ?? null,
    reason: str(decided.data.reason) ?? null,
    requestedAt: null,
  };
}

const GUARDRAIL_WHERE: Record<string, string> = { inquiry_text: 'the inquiry', message: "the customer's latest reply" };

function reasonOf(
  ticket: TicketRow,
  escalation: TicketEventRow | undefined,
  events: TicketEventRow[],
  notes: string,
  approvals: ApprovalRow[],
  resolutionEvent: TicketEventRow | undefined,
): Why {
  const data = escalation?.data ?? {};
  const type = escalation?.type ?? '';

  const trip = type === 'guardrail_tripped' ? data : (record(data.guardrail) ?? (type ? undefined : record(ticket.review)));
  if (trip) {
    const where = data.stage ? `the conversation at ${words(data.stage)}` : (GUARDRAIL_WHERE[String(trip.field)] ?? 'a customer message');
    return {
      kind: 'guardrail',
      team: null,
      reason: `A guardrail stopped ${where} (${words(trip.guardrail) || 'guardrail'}: ${words(trip.reason) || 'flagged'}); a person must review it before anyone replies.`,
    };
  }

  const settled = settledApproval(escalation, events, approvals);
  if (settled?.status === 'expired') {
    const what = describeAction(settled.action, settled.arguments);
    return {
      kind: 'approval_expired',
      team: null,
      action: settled.action,
      reason: `Nobody decided the approval for ${what} before it expired${settled.requestedAt ? ` (requested ${day(settled.requestedAt)})` : ''}; the customer is still waiting.`,
    };
  }
  if (settled?.status === 'rejected') {
    const what = describeAction(settled.action, settled.arguments);
    return {
      kind: 'approval_rejected',
      team: null,
      action: settled.action,
      reason: `${settled.by ?? 'A person'} rejected ${what}${settled.reason ? ` (${oneLine(settled.reason, 160)})` : ''}; the customer needs an answer.`,
    };
  }

  const error = record(data.error) ?? (type === 'run_failed' ? record(ticket.lastError) : undefined);
  if (type === 'run_failed' || error) {
    const stage = str(error?.stage);
    return {
      kind: 'run_failed',
      team: null,
      reason: `The agents' run failed${stage ? ` at ${stage}` : ''}${str(error?.type) ? ` (${str(error?.type)})` : ''}; a person must take the ticket over.`,
    };
  }

  // The ticket used up TICKET_TOKEN_BUDGET (docs/costs.md): the agents stopped spending on it.
  if (type === 'token_budget_exceeded') {
    return { kind: 'token_budget', team: null, reason: str(data.reason) ?? 'The agents used up the ticket\'s token budget; a person takes it over.' };
  }

  // An SLA policy's pre-breach action (docs/sla.md): the clock, not the agents, asked for a person.
  if (type === 'sla_escalated') {
    return {
      kind: 'sla',
      team: null,
      reason: `SLA policy ${str(data.policy) ?? 'in force'} escalated the ticket before a breach: ${str(data.reason) ?? words(data.metric)}${str(data.due_at) ? ` (due ${str(data.due_at)})` : ''}.`,
    };
  }

  const kb = record(resolutionEvent?.data.kb);
  const sentence = firstSentence(notes);
  const rule = /^Escalated to ([^:.]{1,60}): (.+)$/s.exec(sentence);
  if (rule) return { kind: 'policy', team: rule[1]!.trim(), reason: sentence };
  if (kb?.no_article_fit === true || /^Escalated: (no knowledge-base article fits|the knowledge base has no article)/.test(sentence)) {
    return { kind: 'no_article_fit', team: null, reason: sentence || 'Escalated: no knowledge-base article fits this inquiry.' };
  }
  if (/^Escalated\b/.test(sentence)) return { kind: 'agent', team: null, reason: sentence };
  if (type === 'resolution') {
    return { kind: 'agent', team: null, reason: sentence ? `The resolution agent escalated the ticket: ${sentence}` : 'The resolution agent escalated the ticket.' };
  }
  return { kind: 'unknown', team: null, reason: `The ticket was escalated to a person${type ? ` (${words(type)})` : ''}.` };
}

/** The first sentence of the notes (a decimal point is not a sentence end), at most 300 characters. */
function firstSentence(text: string): string {
  const first = clean(text).split(/(?<=[.!?])\s+/)[0] ?? '';
  return oneLine(first, 300);
}

const ACTION_NOUNS: Record<string, { noun: string; verb: string }> = {
  issue_refund: { noun: 'a refund', verb: 'issue this refund' },
  apply_account_credit: { noun: 'account credit', verb: 'add this credit to your account' },
  reset_mfa: { noun: 'a reset of your two-step verification', verb: 'reset your two-step verification' },
  close_account: { noun: 'the closure of your account', verb: 'close your account' },
};

function actionWords(action: string | undefined) {
  return (action && ACTION_NOUNS[action]) || { noun: 'this change to your account', verb: 'make this change' };
}

/** "a refund of 80 USD" — the amounts the approval itself holds, for the person (never in the customer draft). */
export function describeAction(action: string, args: Record<string, unknown>): string {
  const amount = typeof args.amount === 'number' ? args.amount : undefined;
  const currency = str(args.currency);
  const base = ACTION_NOUNS[action]?.noun.replace('your', 'the customer’s') ?? `"${words(action)}"`;
  return amount === undefined ? base : `${base} of ${amount}${currency ? ` ${currency.toUpperCase()}` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Articles, actions

/**
 * The articles the run consulted, in the knowledge base's ranking (search score): the first is
 * the one the resolution policy judged ("best"). `match` is how much of the inquiry an article
 * covers; a short article can cover a lot of a few words, so it does not rank them.
 */
function articlesOf(resolutionEvent: TicketEventRow | undefined, notes: string, titles: Record<string, string>): HandoffArticle[] {
  const kb = record(resolutionEvent?.data.kb);
  if (kb && Array.isArray(kb.consulted)) {
    return (kb.consulted as unknown[])
      .map(record)
      .filter((a): a is Record<string, unknown> => a !== undefined && typeof a.id === 'string')
      .map((a, i) => ({ article: { id: a.id as string, title: str(a.title) ?? titles[a.id as string] ?? null, match: num(a.match) }, score: num(a.score), i }))
      .sort((a, b) => (a.score !== null && b.score !== null && a.score !== b.score ? b.score - a.score : a.i - b.i))
      .map((a) => a.article)
      .slice(0, MAX_ARTICLES);
  }
  // Older runs (and other backends) name the articles only in their notes, best first: "best kb-0012: match 0.41".
  const matches = new Map<string, number>();
  for (const m of notes.matchAll(/\b(kb-\d+):? match (\d+(?:\.\d+)?)/g)) matches.set(m[1]!, Number(m[2]));
  const ids = [...new Set(notes.match(/\bkb-\d+\b/g) ?? [])];
  return ids.map((id) => ({ id, title: titles[id] ?? null, match: matches.get(id) ?? null })).slice(0, MAX_ARTICLES);
}

/** The match an article needs before a "no article fits" draft names it as the closest one (else it is unrelated). */
const CLOSEST_ARTICLE_MIN_MATCH = 0.3;

/** The article the draft reply may name: the best-ranked one with a title, unless it does not fit at all. */
function draftArticle(kind: HandoffReasonKind, articles: HandoffArticle[]): HandoffArticle | undefined {
  const best = articles.find((a) => a.title);
  if (!best) return undefined;
  if (kind === 'no_article_fit' && (best.match === null || best.match < CLOSEST_ARTICLE_MIN_MATCH)) return undefined;
  return best;
}

function actionsOf(approvals: ApprovalRow[], executed: AccountActionRow[]): HandoffAction[] {
  const byApproval = new Map(executed.filter((x) => x.approvalId).map((x) => [x.approvalId!, x]));
  const rows: HandoffAction[] = approvals.map((a) => {
    const ran = byApproval.get(a.id);
    return {
      action: a.action,
      arguments: a.arguments,
      status: a.status,
      by: a.decidedBy ?? null,
      reason: a.reason ?? null,
      at: (ran?.executedAt ?? a.decidedAt ?? a.requestedAt).toISOString(),
      outcome: ran?.outcome ?? null,
    };
  });
  const approved = new Set(approvals.map((a) => a.id));
  for (const x of executed) {
    if (x.approvalId && approved.has(x.approvalId)) continue;
    rows.push({ action: x.action, arguments: x.arguments, status: 'executed', by: x.authorizedBy, reason: null, at: x.executedAt.toISOString(), outcome: x.outcome });
  }
  return rows.sort((a, b) => a.at.localeCompare(b.at)).slice(-MAX_ACTIONS);
}

// ---------------------------------------------------------------------------------------------
// Sentiment

/** Placeholders of redacted personal data ("[EMAIL_1]") are capitals the customer never typed. */
const PLACEHOLDER = /\[[A-Z][A-Z_]*_\d+\]/g;
const POSITIVE =
  /\b(thank you so much|thanks so much|thanks a lot|many thanks|(?:really|much|greatly) appreciated?|i appreciate|love (?:the|your|using|it)|great (?:product|service|app|support|job|work|team)|amazing|awesome|excellent|fantastic|wonderful|happy with|pleased with|big fan)\b/gi;
/**
 * A grievance about what the company did or failed to do (a wrong charge, a problem still not
 * fixed, nobody answering), as opposed to a plain problem report: "Great job, you charged me
 * twice" is a complaint, whatever its first words say.
 */
const COMPLAINT_PHRASES = [
  'charged (?:me |us )?(?:twice|two times|double|again)',
  'double[- ]?charged',
  'over-?charged',
  '(?:wrong|incorrect|duplicate|unexpected|unauthori[sz]ed) (?:charge|payment|bill|invoice)s?',
  'you (?:people |guys )?(?:(?:charged|billed)(?: me| us)?(?: twice| two times| double| again)?|broke|lost|deleted|ignored)',
  "still (?:not|no|broken|waiting|doesn['’]?t|isn['’]?t|hasn['’]?t|haven['’]?t|can['’]?t|won['’]?t)",
  "(?:not|never|hasn['’]?t|haven['’]?t) (?:been )?(?:fixed|resolved|answered|refunded)",
  'never (?:received|arrived|got)',
  'no ?(?:one|body) (?:has |ever )?(?:replied|answered|responded|got back|helped)',
  'waiting (?:for )?(?:\\d+|days|weeks|ages|a week|hours|so long)',
  'disappointed|disappointing|frustrat\\w*|annoy(?:ed|ing)|unhappy|not happy|upset',
  '(?:poor|bad|awful|horrible|lousy) (?:service|support|experience|product)',
  'rude|ignored|complain\\w*',
  '(?:want|demand|need) (?:a|my|our) (?:refund|money back)|money back',
];
const COMPLAINT = new RegExp(`\\b(?:${COMPLAINT_PHRASES.join('|')})\\b`, 'gi');

/**
 * The customer's mood from what they wrote: the priority rules' cues, complaints and a few
 * positive phrases. Anger, urgency, being locked out, a security incident / outage / data loss /
 * legal threat, or a complaint make it negative; a positive phrase counts only without any of
 * them ("Fantastic service. Someone hacked my account" is not a happy customer).
 */
export function sentimentOf(texts: string[], customerHistory?: string | null): HandoffPackage['sentiment'] {
  const text = texts.join('\n').replace(PLACEHOLDER, ' ');
  const s = prioritySignals(text, customerHistory ?? undefined);
  const cues: string[] = [];
  if (s.angry) cues.push('angry or frustrated wording');
  if (s.urgent) cues.push('says it is urgent');
  if (s.blocked) cues.push('cannot use the product (locked out or cannot sign in)');
  if (s.critical) cues.push('reports a security incident, outage, data loss or legal threat');
  const complaints = distinct(text.matchAll(COMPLAINT), 2);
  for (const c of complaints) cues.push(`complaint ("${c}")`);
  if (s.calm) cues.push('says it is not urgent');
  const positive = distinct(text.matchAll(POSITIVE), 3);
  const negative = s.angry || s.urgent || s.blocked || s.critical || complaints.length > 0;
  // Praise next to a complaint is not read as praise (it is often sarcasm): not listed as a cue.
  if (!negative) for (const p of positive) cues.push(`positive wording ("${p}")`);
  const label = negative ? 'negative' : positive.length ? 'positive' : 'neutral';
  return { label, cues };
}

/** The first `max` distinct matches, lower-cased, whitespace collapsed (fixed phrases of the patterns, at most 60 characters). */
function distinct(matches: Iterable<RegExpMatchArray>, max: number): string[] {
  return [...new Set([...matches].map((m) => oneLine(m[0].toLowerCase(), 60)))].slice(0, max);
}

// ---------------------------------------------------------------------------------------------
// The draft reply

const TEAM_LINES: Record<string, string> = {
  security:
    'Thank you for letting us know. Keeping your account safe is our priority, and a member of our security team is now looking into this personally; they will contact you directly.',
  legal: 'Thank you for your message. It has been passed to our legal team, who will review it and reply to you directly.',
  billing: 'Thank you for your message. A member of our billing team is reviewing your request and will get back to you directly.',
  'on-call engineering': 'Thank you for reporting this. Our engineers are investigating, and we will keep you updated as soon as we know more.',
};

/**
 * A polite draft for the person to edit, tailored to why the ticket was escalated. It names the
 * best consulted article (title and id, both from the knowledge base), never repeats what the
 * customer wrote (so a flagged text is never quoted) and never states an amount.
 */
export function suggestedReply(kind: HandoffReasonKind, team: string | null, best: HandoffArticle | undefined, action?: string): string {
  const { noun, verb } = actionWords(action);
  let body: string;
  switch (kind) {
    case 'policy':
      body = TEAM_LINES[team ?? ''] ?? `Thank you for your message. A member of our ${team ?? 'support'} team is looking into this personally and will get back to you.`;
      break;
    case 'no_article_fit':
      body =
        'Thank you for reaching out, and for your patience. Your question needs a closer look than our help articles give, so I am looking into it personally and will get back to you with an answer.';
      break;
    case 'guardrail':
      body = 'Thank you for your message. A member of our support team will review your request and get back to you shortly.';
      break;
    case 'approval_rejected':
      body =
        `Thank you for your patience while we reviewed your request for ${noun}. After looking at your account carefully, we are not able to ${verb} in this case, ` +
        'and I am sorry for the inconvenience. If there is anything you would like us to take into account, just reply to this message and we will gladly take another look.';
      break;
    case 'approval_expired':
      body = `Thank you for your patience, and I am sorry that your request for ${noun} is taking longer than it should. I am now handling it personally and will follow up with you shortly.`;
      break;
    default:
      body = 'Thank you for reaching out. A member of our support team is now looking into your request personally and will get back to you shortly.';
  }
  const lines = ['Hello,', '', body];
  if (best?.title) {
    const title = `"${oneLine(best.title, 120).replace(/"/g, "'")}" (${best.id})`;
    lines.push(
      '',
      kind === 'no_article_fit'
        ? `The closest help article we have is ${title}, though it may not cover your exact case.`
        : `In the meantime, you may find our help article ${title} useful.`,
    );
  }
  if (kind === 'policy' && (team === 'security' || team === 'billing')) lines.push('', 'For your safety, please do not send passwords or full card numbers in this conversation.');
  lines.push('', 'Best regards,', '[Your name]');
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// The one-screen Markdown view

/**
 * Texts a guardrail stopped are not repeated in what travels (the Markdown view, the webhook's
 * text, blocks and `handoff` JSON): this marker stands in their place. Only the ticket (and the
 * package read through the API, scope tickets:read) holds them.
 */
export const WITHHELD_TEXT = '(withheld: a guardrail flagged this text; read it in the ticket)';
const WITHHELD = `_${WITHHELD_TEXT}_`;

export function handoffMarkdown(pkg: HandoffPackage): string {
  const sla = slaPhrase(pkg.sla);
  const t = pkg.triage;
  const out: string[] = [
    `# Hand-off: ticket ${pkg.ticket_id}`,
    '',
    `**Why a person is needed:** ${md(pkg.reason)}`,
    '',
    `- **Status:** ${pkg.status}${pkg.assignee ? ` (assigned to ${md(pkg.assignee)})` : ''} · **priority** ${pkg.triage.priority ?? 'untriaged'} · **SLA** ${sla}`,
    `- **Escalated** ${pkg.escalated_at} to ${md(pkg.escalation_channel)}${pkg.team ? ` (team: ${md(pkg.team)})` : ''}`,
    '',
    '## Customer',
    `- **ID:** ${md(pkg.customer.customer_id ?? 'unknown')} · **channel:** ${md(pkg.customer.channel ?? 'unknown')}`,
    `- **History:** ${md(oneLine(pkg.customer.customer_history ?? 'none given', 200))}`,
    `- **Sentiment:** ${pkg.sentiment.label}${pkg.sentiment.cues.length ? ` (${pkg.sentiment.cues.map(md).join('; ')})` : ''}`,
    '',
    '## What they asked',
    `> ${pkg.asked.inquiry_flagged ? WITHHELD : md(oneLine(pkg.asked.inquiry, 600))}`,
  ];
  for (const f of pkg.asked.follow_ups) out.push(`- ${f.at}: ${f.flagged ? WITHHELD : md(oneLine(f.message, 200))}`);
  out.push(
    '',
    '## Triage',
    `- ${t.category ?? 'not triaged'} · ${t.priority ?? '–'} · confidence ${t.confidence ?? '–'} · clarification needed: ${t.clarification_needed === null ? '–' : t.clarification_needed ? 'yes' : 'no'}`,
    '',
    '## Articles consulted',
  );
  if (!pkg.articles_consulted.length) out.push('- none');
  for (const a of pkg.articles_consulted.slice(0, 5)) out.push(`- ${a.id}${a.title ? ` ${md(oneLine(a.title, 80))}` : ''}${a.match === null ? '' : ` (match ${a.match})`}`);
  if (pkg.actions.length) {
    out.push('', '## Account actions');
    for (const a of pkg.actions.slice(-5)) {
      const args = oneLine(JSON.stringify(a.arguments), 120);
      out.push(`- ${a.action} \`${args.replace(/`/g, "'")}\` — **${a.status}**${a.by ? ` by ${md(a.by)}` : ''} at ${a.at}${a.reason ? `: ${md(oneLine(a.reason, 120))}` : ''}`);
    }
  }
  out.push('', '## Suggested reply (edit before sending)', ...pkg.suggested_reply.split('\n').map((l) => (l ? `> ${md(l)}` : '>')));
  return out.join('\n') + '\n';
}

/**
 * The SLA in words, naming the clock: "resolution time due 2026-11-26 14:00 UTC (in 3.4 h)".
 * With business hours the span is working time ("3.4 h of business time left"), as the clock counts it.
 */
export function slaPhrase(sla: SlaState): string {
  if (!sla.metric) return 'no SLA policy applies';
  const name = words(sla.metric);
  const due = sla.deadline ? day(new Date(sla.deadline)) : null;
  const span = (hours: number) => {
    const h = Math.abs(hours);
    const text = h >= 48 ? `${Math.round(h / 24)} d` : h >= 1 ? `${Math.round(h * 10) / 10} h` : `${Math.round(h * 60)} min`;
    return sla.business_hours ? `${text} of business time` : text;
  };
  const left = sla.remaining_hours;
  if (sla.breached) return `${name} breached${due ? ` (due ${due}${left !== null && left < 0 ? `, ${span(left)} over` : ''})` : ''}`;
  switch (sla.state) {
    case 'fulfilled':
      return `${name} met`;
    case 'paused':
      return `${name} paused${left !== null ? ` (${span(left)} left)` : ''}`;
    case 'not_started':
      return `${name} not started`;
    default:
      if (!due || left === null) return `${name} running`;
      return `${name} due ${due} (${sla.business_hours ? `${span(left)} left` : `in ${span(left)}`})`;
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v : undefined;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function day(d: Date): string {
  return d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

/** "prompt_injection" → "prompt injection". */
function words(v: unknown): string {
  return typeof v === 'string' ? oneLine(v.replace(/_/g, ' '), 80) : '';
}

/** Control and format characters (bidi overrides, zero-width…) out; newlines and tabs kept. */
export function clean(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]/g, '');
}

export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  // Never split a surrogate pair.
  let cut = max - 1;
  if (/[\ud800-\udbff]/.test(text[cut - 1] ?? '')) cut--;
  return `${text.slice(0, cut)}…`;
}

export function oneLine(text: string, max: number): string {
  return truncate(clean(text).replace(/\s+/g, ' ').trim(), max);
}

/** Text inside the Markdown view: no HTML, links, emphasis or headings from customer text. */
function md(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]])/g, '\\$1')
    .replace(/^#/, '\\#');
}
