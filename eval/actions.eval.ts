import { ACTION_NAMES } from '../src/actions/account-actions.js';
import { proposeAction } from '../src/resolution/action-proposals.js';

/**
 * The offline policy's account-action proposals over the shipped inquiries and scenarios — texts
 * written before the proposals existed, so every proposal here is one a person would be asked to
 * approve on real-looking traffic. There is no labelled set of "clear requests" yet: this
 * measures how often (and on what) the policy proposes, not its recall.
 */
export interface ProposalResult {
  texts: number;
  proposals: { source: string; action: string; arguments: Record<string, unknown>; excerpt: string }[];
}

export function evaluateProposals(texts: { source: string; text: string }[], options: { currency: string; refundMax: number }): ProposalResult {
  const available = new Set<string>(ACTION_NAMES);
  const proposals = texts.flatMap(({ source, text }) => {
    const p = proposeAction(text, { available, ...options });
    return p ? [{ source, action: p.action, arguments: p.arguments, excerpt: text.replace(/\s+/g, ' ').slice(0, 140) }] : [];
  });
  return { texts: texts.length, proposals };
}

export function printProposals(r: ProposalResult): void {
  console.log(`\n## Account-action proposals (offline policy) on ${r.texts} shipped inquiries and scenarios`);
  console.log(`${r.proposals.length} proposal(s) (${((100 * r.proposals.length) / Math.max(1, r.texts)).toFixed(1)} % of texts); each would wait for a person's approval:`);
  for (const p of r.proposals) console.log(`- ${p.action} ${JSON.stringify(p.arguments)} ← [${p.source}] "${p.excerpt}…"`);
}
