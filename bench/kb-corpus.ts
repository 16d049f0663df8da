/**
 * Deterministic knowledge-base corpus of any size, generated from the shipped articles, for
 * search benchmarks. Each generated article mixes the sections of two shipped ones and swaps
 * ~15% of the words for terms of a Zipf-distributed synthetic vocabulary (product names,
 * feature names), so the vocabulary grows with the corpus and posting lists have realistic
 * lengths — copies of 44 articles would make every query term match a fixed share of them.
 */
import { sectionsOf, type Article } from '../src/knowledge-base/article.js';
import { readArticleDir } from '../src/knowledge-base/article-files.js';
import { seededRandom } from '../src/triage/classifier/softmax-regression.js';

export function loadShippedArticles(dir = 'data/kb'): Article[] {
  return readArticleDir(dir);
}

const SYLLABLES = ['ka', 'ro', 'vin', 'te', 'lo', 'mar', 'zu', 'pex', 'dri', 'sol', 'nau', 'qui', 'fen', 'tor', 'bel', 'cy'];

function pseudoWord(n: number): string {
  let w = '';
  do {
    w += SYLLABLES[n % SYLLABLES.length];
    n = Math.floor(n / SYLLABLES.length);
  } while (n > 0);
  return w + 'x';
}

export function generateArticles(count: number, shipped = loadShippedArticles(), seed = 7): Article[] {
  const rand = seededRandom(seed);
  // Vocabulary size grows like Heaps' law (~ k·N^0.5).
  const vocabulary = Math.max(200, Math.round(400 * Math.sqrt(count)));
  const zipf = () => Math.floor(Math.pow(vocabulary, rand()) - 1);
  const out: Article[] = [];
  for (let i = 0; i < count; i++) {
    const a = shipped[i % shipped.length]!;
    const b = shipped[Math.floor(rand() * shipped.length)]!;
    const mutate = (text: string) => text.replace(/[A-Za-z]{4,}/g, (w) => (rand() < 0.15 ? pseudoWord(zipf()) : w));
    const sections = [...sectionsOf(a.body), ...sectionsOf(b.body).filter((s) => s.heading).slice(0, 1)];
    const body = sections.map((s) => (s.heading ? `## ${mutate(s.heading)}\n${mutate(s.text)}` : mutate(s.text))).join('\n\n');
    out.push({
      id: `gen-${String(i).padStart(6, '0')}`,
      title: `${mutate(a.title)} ${pseudoWord(zipf())}`,
      category: a.category,
      tags: [...a.tags, pseudoWord(zipf())],
      body,
    });
  }
  return out;
}
