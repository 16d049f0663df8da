/**
 * Output policy for a customer reply: no personal data the customer did not give us and no
 * article publishes, no secrets (nor sensitive placeholders), no internal notes, no money
 * promised that a cited article does not state, and a `resolved` reply cites an article it
 * actually retrieved. Pure; reuses the PII detector and the money parser of the escalation rules.
 */
import { MONEY, parseAmount } from '../../resolution/escalation-rules.js';
import { detectPii, PLACEHOLDER_PATTERN } from './pii.js';
import type { Finding, PiiKind, Verdict } from './types.js';

export interface ReplyCheckInput {
  reply: string;
  status: 'resolved' | 'escalated' | 'pending further action';
  notes: string;
  /** The customer's text (as the agents saw it). */
  inquiry: string;
  /** The articles the agent retrieved for this inquiry. */
  retrieved: { id: string; text: string }[];
}

const DETECTOR = 'reply_policy';

/** Deciding order when several violations are found. */
export const REPLY_REASONS = ['secret_leak', 'pii_leak', 'internal_note', 'unsupported_commitment', 'uncited_resolution'] as const;
export type ReplyReason = (typeof REPLY_REASONS)[number];

const CONTACT_KINDS: readonly PiiKind[] = ['payment_card', 'iban', 'national_id', 'email', 'phone'];
/** Customer data that may be echoed back when the customer wrote it (contact details). */
const ECHO_FROM_INQUIRY: ReadonlySet<string> = new Set(['email', 'phone']);
/** Placeholders a reply must never contain: echoing them tells the customer what was captured. */
const SENSITIVE_PLACEHOLDERS: ReadonlySet<string> = new Set(['PASSWORD', 'SECRET', 'PAYMENT_CARD', 'NATIONAL_ID', 'IBAN']);

const INTERNAL_NOTE =
  /\binternal[ -]note|\binternal\s*:|\[\s*internal\s*\]|\binternal(?:[ -]use)? only\b|\bdo not (?:share|forward|show|send) (?:this )?(?:with|to) (?:the )?(?:customer|client|user)|\bnot for (?:the )?(?:customer|client)(?:'s)? eyes|\bnot (?:to be )?(?:shared|forwarded) with (?:the )?(?:customer|client)|\bstaff[ -]only\b|\b(?:for )?agents? only\b|\b(?:note|notes|memo) (?:for|to) (?:the )?(?:agents?|staff|support team|team|internal)\b|\bagent note\b|\bconfidential\s*[–—:-]\s*internal\b|\bsystem prompt\b|\bmy (?:instructions|guidelines|system message) (?:say|says|tell|are|state)\b|\bi (?:was|am|have been) (?:instructed|told|programmed) (?:not )?to\b|\bnote to self\b|\bscratch ?pad\b|\bchain of thought\b|\[\s*(?:agent|internal|staff|assistant|support)(?: (?:reasoning|thoughts?|notes?|scratchpad|only))\b|\b(?:my|agent|internal) (?:reasoning|thought process)\s*:|\btool (?:call|output|result)s?:|\bescalation (?:rule|reason) (?:matched|triggered)\b/i;

const COMMITMENT_TERM = /\b(?:refund\w*|reimburs\w*|credit(?:s|ed)?|compensat\w*|discount\w*|waiv\w*|voucher|coupon|rebate|money back|goodwill|free (?:months?|years?|upgrades?|seats?)|\d{1,3} ?(?:%|percent) off|(?:months?|years?) (?:for )?free)\b/i;
const PERCENT = /(\d{1,3}(?:[.,]\d{1,2})?)\s?(?:%|percent\b|per ?cent\b)/gi;
/** Currency code before the number ("USD 50", "EUR 1.200,50"): MONEY covers signs, words and trailing codes. */
const CODE_BEFORE = /\b(?:usd|eur|gbp|chf|cad|aud|sek|nok|dkk|pln)\s?(\d(?:[\d.,]{0,14}\d)?)/gi;
/** A refund promised without an amount: "we will refund you in full", "you'll receive a full refund". */
const FULL_REFUND_PROMISE =
  /\b(?:(?:we|i)(?:'ll| will| shall| are going to| have| 've|'ve| can| would)(?: now| also| gladly| happily| immediately)? (?:refund|reimburse|credit|compensate|waive|give you (?:a|your) (?:full )?(?:refund|money back|credit))|(?:we|i)(?:'ll| will| can| could| would|'d)? (?:give|grant|add|throw in) (?:you |your account )?(?:an? |\d+ |one |two |three |six |twelve )?(?:extra |additional |bonus )?(?:free )?(?:months?|years?|weeks?|seats?)(?: free| for free| at no (?:extra )?(?:cost|charge))?|(?:we|i)(?:'d| would)? (?:can |could |are happy to |'re happy to |would like to |'d like to )?offer (?:you )?(?:a |an )?(?:\d+ )?(?:free (?:months?|years?|upgrade|seats?)|discount|credit|refund|voucher|coupon|compensation)|refund(?:ed)? (?:you )?in full|(?:you(?:'ll| will| are going to| should) (?:receive|get|be (?:given|issued|sent))|(?:we(?:'ll| will) (?:issue|process|send|give|apply|grant|approve)(?: you)?)) (?:a |an |the |your )?(?:full |complete |partial |prorated )?(?:refund|reimbursement|credit|compensation|money back|discount|waiver)|(?:refund|credit|reimbursement|compensation)(?: of [^.]{0,20})? (?:has been|was|is being|will be) (?:issued|processed|approved|granted|applied|sent))\b/i;
/** Words that make a refund sentence a question or a condition, not a promise. */
const NOT_A_PROMISE = /\b(?:if|whether|cannot|can't|can not|unable|not able|won't|will not|isn't|not eligible|no refund|not refund|don't|do not)\b/i;

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Ids of retrieved articles that the reply or the notes mention. */
function citedArticles(input: ReplyCheckInput): { id: string; text: string }[] {
  const where = `${input.reply}\n${input.notes}`;
  return input.retrieved.filter((a) => a.id && new RegExp(`(?<![\\w-])${escapeRe(a.id)}(?![\\w-])`, 'i').test(where));
}

interface Amount {
  value: number;
  percent: boolean;
  start: number;
  end: number;
}

/** Money amounts (MONEY of the escalation rules, plus "USD 50") and percentages in a text. */
function amountsIn(text: string): Amount[] {
  const out: Amount[] = [];
  for (const m of text.matchAll(MONEY)) {
    const raw = m[1] ?? m[2] ?? m[3];
    if (raw === undefined) continue;
    const value = parseAmount(raw);
    if (Number.isFinite(value)) out.push({ value, percent: false, start: m.index!, end: m.index! + m[0].length });
  }
  for (const m of text.matchAll(CODE_BEFORE)) {
    const value = parseAmount(m[1]!);
    if (Number.isFinite(value) && !out.some((a) => a.start <= m.index! && m.index! < a.end)) out.push({ value, percent: false, start: m.index!, end: m.index! + m[0].length });
  }
  for (const m of text.matchAll(PERCENT)) {
    const value = Number(m[1]!.replace(',', '.'));
    if (Number.isFinite(value)) out.push({ value, percent: true, start: m.index!, end: m.index! + m[0].length });
  }
  return out;
}

/** Sentences (and list items) with their offsets. */
function sentences(text: string): { text: string; start: number }[] {
  const out: { text: string; start: number }[] = [];
  const re = /[^.!?\n]+(?:[.!?](?=\s|$)|\.(?=\d)[^.!?\n]*)*[.!?]*/g;
  for (const m of text.matchAll(re)) if (m[0].trim()) out.push({ text: m[0], start: m.index! });
  return out;
}

function commitmentFindings(input: ReplyCheckInput, add: (reason: ReplyReason, start: number, end: number) => void): void {
  const cited = citedArticles(input);
  const supported: Amount[] = cited.flatMap((a) => amountsIn(a.text));
  const citedText = cited.map((a) => a.text).join('\n');
  for (const s of sentences(input.reply)) {
    if (!COMMITMENT_TERM.test(s.text)) continue;
    const amounts = amountsIn(s.text);
    let flagged = false;
    for (const a of amounts) {
      if (!supported.some((b) => b.percent === a.percent && Math.abs(b.value - a.value) < 0.005)) {
        add('unsupported_commitment', s.start + a.start, s.start + a.end);
        flagged = true;
      }
    }
    if (flagged) continue;
    // A promise (with an amount the article states, or none): fine only when a cited article
    // covers that kind of remedy.
    const promise = FULL_REFUND_PROMISE.exec(s.text);
    if (!promise || NOT_A_PROMISE.test(s.text.slice(0, promise.index + promise[0].length))) continue;
    const term = COMMITMENT_TERM.exec(promise[0])?.[0].toLowerCase() ?? 'refund';
    const family = term.startsWith('refund') || term === 'money back'
      ? /\brefund/i
      : /free|months?|years?/.test(term) || /\b(?:months?|years?|weeks?|seats?)\b/.test(promise[0])
        ? /\bfree (?:months?|years?|weeks?|seats?|trial)|\b(?:months?|years?|weeks?) (?:for )?free\b/i
        : new RegExp(`\\b${escapeRe(term.slice(0, 6))}`, 'i');
    if (!family.test(citedText)) add('unsupported_commitment', s.start + promise.index, s.start + promise.index + promise[0].length);
  }
}

/** Checks a reply before it reaches the customer; `reason` follows REPLY_REASONS order. */
export function checkReply(input: ReplyCheckInput): Verdict {
  const findings: Finding[] = [];
  const add = (reason: ReplyReason, start: number, end: number) => findings.push({ detector: DETECTOR, reason, start, end });
  const { reply } = input;

  // Secrets and passwords, and sensitive placeholders.
  for (const f of detectPii(reply, { kinds: ['secret', 'password'] })) add('secret_leak', f.start, f.end);
  for (const m of reply.matchAll(PLACEHOLDER_PATTERN)) if (SENSITIVE_PLACEHOLDERS.has(m[1]!)) add('secret_leak', m.index!, m.index! + m[0].length);

  // Personal data nobody gave us: not in a retrieved article, not the customer's own contact details.
  // Emails ignore case; numbers ignore separators and the "(0)" of "+44 (0)20 …".
  const norm = (kind: string, v: string) => (kind === 'email' ? v.toLowerCase() : v.replace(/\(0\)/g, '').replace(/[^\dA-Za-z]/g, '').toUpperCase());
  const articleValues = new Set<string>();
  const inquiryValues = new Set<string>();
  const collect = (text: string, into: Set<string>) => {
    for (const f of detectPii(text, { kinds: CONTACT_KINDS })) into.add(`${f.reason}:${norm(f.reason, text.slice(f.start, f.end))}`);
  };
  for (const a of input.retrieved) collect(a.text, articleValues);
  collect(input.inquiry, inquiryValues);
  for (const f of detectPii(reply, { kinds: CONTACT_KINDS })) {
    const value = reply.slice(f.start, f.end);
    const key = `${f.reason}:${norm(f.reason, value)}`;
    if (articleValues.has(key) || input.retrieved.some((a) => a.text.includes(value))) continue;
    if (ECHO_FROM_INQUIRY.has(f.reason) && (inquiryValues.has(key) || input.inquiry.includes(value))) continue;
    add('pii_leak', f.start, f.end);
  }

  const internal = INTERNAL_NOTE.exec(reply);
  if (internal) add('internal_note', internal.index, internal.index + internal[0].length);

  commitmentFindings(input, add);

  if (input.status === 'resolved' && citedArticles(input).length === 0) add('uncited_resolution', 0, reply.length);

  if (!findings.length) return { detector: DETECTOR, tripped: false, findings };
  findings.sort((a, b) => a.start - b.start);
  const reason = REPLY_REASONS.find((r) => findings.some((f) => f.reason === r))!;
  return { detector: DETECTOR, tripped: true, reason, findings };
}
