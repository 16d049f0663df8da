import { analyze } from '../common/text-analysis.js';

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu;
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/**
 * The snippet HTML-escaped (article text is user-supplied), with the words whose search term
 * matches a query term wrapped in <mark>: "resetting" is marked for the query "reset".
 */
export function highlight(snippet: string, query: string): string {
  const terms = new Set(analyze(query));
  if (terms.size === 0) return escapeHtml(snippet);
  let out = '';
  let last = 0;
  for (const m of snippet.matchAll(WORD)) {
    const term = analyze(m[0])[0];
    if (term === undefined || !terms.has(term)) continue;
    out += escapeHtml(snippet.slice(last, m.index)) + '<mark>' + escapeHtml(m[0]) + '</mark>';
    last = m.index + m[0].length;
  }
  return out + escapeHtml(snippet.slice(last));
}
