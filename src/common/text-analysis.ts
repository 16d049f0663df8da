import { stemmer } from 'stemmer';

/** English stop words: function words that carry no topic (kept short on purpose). */
const STOP_WORDS = new Set(
  ('a an and are as at be been but by can could did do does doing for from had has have having he her here hers him his ' +
    'how i if in into is it its itself just me more most my myself no nor not of off on once only or other our ours out ' +
    'over own same she should so some such than that the their theirs them then there these they this those through to ' +
    'too under until up very was we were what when where which while who whom why will with would you your yours ' +
    'yourself hi hello hey thanks thank please pls regards dear team hey ok okay im ive dont cant get got also still ' +
    // what remains of contractions once the apostrophe part is cut ("doesn't" → "doesn")
    'don doesn didn isn aren wasn weren won wouldn couldn shouldn haven hasn hadn ain ' +
    'would like need want one two any every all anyone someone something now today yesterday').split(' '),
);

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu;

// Stemming is most of the analysis cost and words repeat (Zipf): memoised, bounded.
const STEMS = new Map<string, string>();
const STEM_CACHE_MAX = 200_000;

function stem(word: string): string {
  let s = STEMS.get(word);
  if (s === undefined) {
    if (STEMS.size >= STEM_CACHE_MAX) STEMS.clear();
    STEMS.set(word, (s = stemmer(word)));
  }
  return s;
}

/** Search analysis: lowercase words, no stop words, Porter-stemmed ("resetting" → "reset"). */
export function analyze(text: string): string[] {
  const terms: string[] = [];
  for (const m of text.toLowerCase().matchAll(WORD)) {
    const word = m[0].replace(/['’].*$/, '');
    if (word.length < 2 || STOP_WORDS.has(word)) continue;
    terms.push(/^\d+$/.test(word) ? word : stem(word));
  }
  return terms;
}
