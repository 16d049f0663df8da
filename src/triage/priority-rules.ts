import { DATA_LOSS, LEGAL_THREAT, OUTAGE, SECURITY_INCIDENT } from '../common/support-cues.js';
import type { Priority } from './taxonomy.js';

/**
 * Priority rules applied on top of the priority classifier (DESIGN §2): outage and security
 * cues, urgency, customer tier from `customer_history`, sentiment. Pure and explainable —
 * every change is named in `reasons`.
 */
export interface PrioritySignals {
  critical: boolean;
  urgent: boolean;
  calm: boolean;
  importantCustomer: boolean;
  angry: boolean;
  /** The customer cannot use the product at all (can't sign in, locked out). */
  blocked: boolean;
}

/** A workspace switched to read-only (failed payment): nobody can work in it. */
const READ_ONLY = /\bread[- ]only\b/i;
const URGENT = /\b(urgent\w*|asap|immediately|right now|emergency|critical|deadline|blocking|blocked|can['’]?t work|losing (money|customers|business))\b/i;
const CALM = /\b(no rush|not urgent|no hurry|whenever you (can|get a chance|have time)|when you (get a chance|have (a )?(moment|time))|just (curious|wondering)|feature request|suggestion|would be (nice|great)|(an|one|small|little) idea)\b/i;
const BLOCKED =
  /\b((can['’]?t|cannot|can not|unable to|won['’]?t let (me|us)|not able to) (log ?in|sign ?in|login|access|get into|open)|locked out|lock(ed)? (me|us) out|access denied)\b/i;
/** Tier words, unless negated ("not a VIP", "non-enterprise"). */
const IMPORTANT_TIER = /(?<!\bnot (an? )?)(?<!\bnon[- ]?)\b(vip|enterprise|key account|strategic|premium)\b/i;
const ANGRY_WORDS = /\b(unacceptable|ridiculous|furious|angry|terrible|worst|disgusting|scam|joke|fed up|outrageous|pathetic|useless|incompetent|third time)\b|\bagain\?*!/i;

export function prioritySignals(text: string, customerHistory?: string): PrioritySignals {
  const letters = text.replace(/[^A-Za-z]/g, '');
  const caps = letters.length >= 20 ? letters.replace(/[^A-Z]/g, '').length / letters.length : 0;
  return {
    critical: [OUTAGE, SECURITY_INCIDENT, DATA_LOSS, LEGAL_THREAT, READ_ONLY].some((re) => re.test(text)),
    blocked: BLOCKED.test(text),
    urgent: URGENT.test(text),
    calm: CALM.test(text),
    importantCustomer: IMPORTANT_TIER.test(customerHistory ?? ''),
    angry: ANGRY_WORDS.test(text) || /!{2,}/.test(text) || caps > 0.5,
  };
}

const ORDER: Priority[] = ['Low', 'Medium', 'High'];
const up = (p: Priority): Priority => ORDER[Math.min(2, ORDER.indexOf(p) + 1)]!;
const down = (p: Priority): Priority => ORDER[Math.max(0, ORDER.indexOf(p) - 1)]!;

export function applyPriorityRules(base: Priority, s: PrioritySignals): { priority: Priority; reasons: string[] } {
  const reasons: string[] = [];
  let p = base;
  if (s.critical && p !== 'High') {
    p = 'High';
    reasons.push('outage, security, data-loss or legal-threat cue');
  } else if (s.calm && !s.urgent && !s.critical && p !== 'Low') {
    p = down(p);
    reasons.push('customer says it is not urgent');
  }
  if ((s.blocked || s.urgent) && p === 'Low') {
    p = 'Medium';
    reasons.push(s.blocked ? 'customer cannot use the product' : 'customer says it is urgent');
  }
  if (s.importantCustomer && (s.urgent || s.angry || s.blocked) && p !== 'High') {
    p = up(p);
    reasons.push('important customer who is blocked, in a hurry or upset');
  } else if (s.angry && p === 'Low' && !s.calm) {
    p = 'Medium';
    reasons.push('frustrated customer');
  }
  return { priority: p, reasons };
}
