import { readdirSync, readFileSync } from 'node:fs';
import { parseMarkdownArticle } from '../src/knowledge-base/article.js';
import { KbSearch } from '../src/knowledge-base/kb-search.js';
import { decideResolution } from '../src/resolution/resolution-policy.js';
const kb = new KbSearch();
for (const f of readdirSync('data/kb')) kb.upsert(parseMarkdownArticle(readFileSync('data/kb/'+f,'utf8')));
const ex = readdirSync('data/triage').filter(f=>f.endsWith('.jsonl')).flatMap(f=>readFileSync('data/triage/'+f,'utf8').trim().split('\n').map(l=>JSON.parse(l)));
const counts: Record<string, number> = {}; const notes: Record<string, number> = {};
const samples: string[] = [];
for (const e of ex) {
  const hits = kb.search(e.text, 5);
  const d = decideResolution({ inquiryText: e.text, category: e.category, clarificationNeeded: false, articles: hits, matchThreshold: 0.5, refundLimit: 500 });
  counts[d.ticket_status] = (counts[d.ticket_status] ?? 0) + 1;
  const key = d.ticket_status === 'escalated' ? d.resolution_notes.split(/[:(]/)[0]! + (d.resolution_notes.match(/to ([a-z -]+):/)?.[1] ?? '') : 'resolved';
  notes[key] = (notes[key] ?? 0) + 1;
  if (samples.length < 400) samples.push(`${e.id} [${d.ticket_status}] ${hits[0]?.id ?? '-'} ${hits[0]?.title ?? ''} :: ${e.text.slice(0, 110).replace(/\n/g,' ')}`);
}
console.log(counts, notes);
console.log(samples.filter((_, i) => i % 5 === 0).join('\n'));
