/**
 * Output policy for a customer reply: no personal data the customer did not give us and no
 * article publishes, no secrets (nor sensitive placeholders), no internal notes, no money
 * promised that a cited article does not state, and a `resolved` reply cites an article it
 * actually retrieved. Pure; reuses the PII detector and the number parser of the escalation rules
 * (with a money pattern of its own: wider than the escalation rules' MONEY, whose behaviour stays).
 */
import { parseAmount } from '../../resolution/escalation-rules.js';
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
/** A number: "80", "49.99", "1,200.50", "1.200,50", "1 200" (thousands grouped with a space). */
const NUMBER = String.raw`(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d{1,2})?|\d(?:[\d.,]{0,14}\d)?)(?!\d)`;
const SIGN = String.raw`[$€£¥₹₩₽₺]`;
const CODES = String.raw`usd|eur|gbp|chf|jpy|cny|rmb|cad|aud|nzd|sek|nok|dkk|isk|pln|czk|huf|inr|brl|mxn|zar|sgd|hkd`;
const CURRENCY_WORDS = String.raw`dollars?|bucks|euros?|pounds?|quid|yen|yuan|francs?|kronor|kroner|kronur|krona|krone|złoty|zloty|rupees?|reais`;
/**
 * Money in a reply or an article: a sign or code before the number ("$80", "¥8000", "CHF 20",
 * "kr 300"), a sign, code or word after it ("80 €", "35 EUR", "300 kr", "20 dollars"), or a bare
 * number right after "refund (you)", "reimburse you", "credit (your account with)" ("We will
 * refund you 80"), unless days, seats, orders… follow. Group 1, 2 or 3 is the number.
 */
const REPLY_MONEY = new RegExp(
  String.raw`(?:(?:${SIGN}|\b(?:[ACR]\$|US\$|(?:${CODES}|kr|sfr)\.?)(?![\p{L}]))\s?(${NUMBER})` +
    String.raw`|(${NUMBER})\s?(?:${SIGN}|(?:${CODES}|kr|${CURRENCY_WORDS})(?![\p{L}]))` +
    String.raw`|\b(?:refund(?:ed|ing|s)?|reimburs(?:e|ed|ing)|credit(?:ed|ing)?)(?:\s+(?:you|your (?:account|card|payment method)|you back|back))?(?:\s+(?:with|of|for|by))?(?:\s+(?:the\s+)?(?:sum|amount|total)\s+of)?\s+(${NUMBER})(?:\s?(?:${SIGN}|(?:${CODES}|kr|${CURRENCY_WORDS})(?![\p{L}]))|(?![-–]\d|\s*[-–]?\s*(?:%|percent|per ?cent|days?|weeks?|months?|years?|hours?|minutes?|business|working|orders?|items?|charges?|invoices?|payments?|seats?|users?|members?|licen[cs]es?|times?|of\b|x\b))))`,
  'giu',
);
const NUMBER_WORD: Readonly<Record<string, number>> = Object.fromEntries(
  `zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen`
    .split(' ')
    .map((w, i) => [w, i] as const)
    .concat('twenty thirty forty fifty sixty seventy eighty ninety'.split(' ').map((w, i) => [w, 20 + 10 * i] as const)),
);
/** "eighty dollars", "a hundred euros", "twenty-five pounds", "one thousand two hundred dollars". */
const WORD_MONEY = new RegExp(
  String.raw`\b((?:a|an|${Object.keys(NUMBER_WORD).join('|')}|hundred|thousand)(?:[\s-]+(?:and[\s-]+)?(?:${Object.keys(NUMBER_WORD).join('|')}|hundred|thousand)){0,6})\s+(?:${CURRENCY_WORDS})\b`,
  'gi',
);

/** "eighty" → 80, "a hundred" → 100, "two thousand five hundred" → 2500; NaN when no number word. */
function parseNumberWords(words: string): number {
  let total = 0;
  let current = 0;
  let seen = false;
  for (const w of words.toLowerCase().split(/[\s-]+/)) {
    if (w === 'and') continue;
    if (w === 'a' || w === 'an') {
      current = current || 1;
    } else if (w === 'hundred') {
      current = (current || 1) * 100;
      seen = true;
    } else if (w === 'thousand') {
      total += (current || 1) * 1000;
      current = 0;
      seen = true;
    } else if (w in NUMBER_WORD) {
      current += NUMBER_WORD[w]!;
      seen = true;
    }
  }
  return seen ? total + current : Number.NaN;
}
/** A refund promised without an amount: "we will refund you in full", "you'll receive a full refund". */
const FULL_REFUND_PROMISE =
  /\b(?:(?:we|i)(?:'ll| will| shall| are going to| have| 've|'ve| can| would)(?: now| also| gladly| happily| immediately)? (?:refund|reimburse|credit|compensate|waive|give you (?:a|your) (?:full )?(?:refund|money back|credit))|(?:we|i)(?:'ll| will| can| could| would|'d)? (?:give|grant|add|throw in) (?:you |your account )?(?:an? |\d+ |one |two |three |six |twelve )?(?:extra |additional |bonus )?(?:free )?(?:months?|years?|weeks?|seats?)(?: free| for free| at no (?:extra )?(?:cost|charge))?|(?:we|i)(?:'d| would)? (?:can |could |are happy to |'re happy to |would like to |'d like to )?offer (?:you )?(?:a |an )?(?:\d+ )?(?:free (?:months?|years?|upgrade|seats?)|discount|credit|refund|voucher|coupon|compensation)|refund(?:ed)? (?:you )?in full|(?:you(?:'ll| will| are going to| should) (?:receive|get|be (?:given|issued|sent))|(?:we(?:'ll| will) (?:issue|process|send|give|apply|grant|approve)(?: you)?)) (?:a |an |the |your )?(?:full |complete |partial |prorated )?(?:refund|reimbursement|credit|compensation|money back|discount|waiver)|(?:refund|credit|reimbursement|compensation)(?: of [^.]{0,20})? (?:has been|was|is being|will be) (?:issued|processed|approved|granted|applied|sent)|(?:get|receive|have|give you|send you|see|getting|receiving) (?:all (?:of )?)?(?:your|the|their) (?:money|payment|cash|funds) back|\bmoney[- ]back guarantee|full refund|refund(?:ed)? (?:of |for )?(?:the |your )?(?:full|entire|whole|total|complete) (?:amount|price|cost|charge|payment|sum|fee)|guarantee[sd]? (?:you )?(?:a |an |the |your )?(?:full |complete )?(?:refund|reimbursement|money back))\b/i;
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

/** Money amounts (REPLY_MONEY, and amounts in words) and percentages in a text. */
function amountsIn(text: string): Amount[] {
  const out: Amount[] = [];
  for (const m of text.matchAll(REPLY_MONEY)) {
    const raw = m[1] ?? m[2] ?? m[3];
    if (raw === undefined) continue;
    const value = parseAmount(raw);
    // "refund you 80 €": the evidence is the amount, not the verb before it.
    const start = m[3] === undefined ? m.index! : m.index! + m[0].search(/\d/);
    if (Number.isFinite(value)) out.push({ value, percent: false, start, end: m.index! + m[0].length });
  }
  for (const m of text.matchAll(WORD_MONEY)) {
    const value = parseNumberWords(m[1]!);
    if (Number.isFinite(value) && !out.some((a) => a.start < m.index! + m[0].length && m.index! < a.end)) out.push({ value, percent: false, start: m.index!, end: m.index! + m[0].length });
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

/** An article sentence that offers a remedy: its amounts can back a refund, credit or discount. */
const REMEDY_CONTEXT = /\b(?:save[sd]?|saving|savings|off|cheaper|free|back)\b/i;
/** Right after an amount: a price ("$8 per user/month", "$15 a seat"), not a remedy. */
const PRICE_AFTER = /^\s*(?:\/\s*(?:user|seat|member|month|mo|year|yr)|per\b|a (?:user|seat|member|month|year)\b|each\b|monthly\b|annually\b|yearly\b)/i;

const sameAmount = (a: Amount, b: Amount) => b.percent === a.percent && Math.abs(b.value - a.value) < 0.005;

function commitmentFindings(input: ReplyCheckInput, add: (reason: ReplyReason, start: number, end: number) => void): void {
  const cited = citedArticles(input);
  // Every amount a cited article states backs a price the reply quotes; only the amounts an
  // article states in a sentence about a refund, credit or discount back a remedy.
  const stated: Amount[] = [];
  const remedies: Amount[] = [];
  for (const a of cited) {
    for (const s of sentences(a.text)) {
      const found = amountsIn(s.text);
      stated.push(...found);
      if (COMMITMENT_TERM.test(s.text) || REMEDY_CONTEXT.test(s.text)) remedies.push(...found);
    }
  }
  const citedText = cited.map((a) => a.text).join('\n');
  for (const s of sentences(input.reply)) {
    if (!COMMITMENT_TERM.test(s.text) && !FULL_REFUND_PROMISE.test(s.text)) continue;
    const amounts = amountsIn(s.text);
    let flagged = false;
    for (const a of amounts) {
      const price = !a.percent && PRICE_AFTER.test(s.text.slice(a.end, a.end + 16));
      if (!(price ? stated : remedies).some((b) => sameAmount(a, b))) {
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
