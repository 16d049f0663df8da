import { InvertedIndex, oneEditApart } from './inverted-index.js';
import { seededRandom } from '../triage/classifier/softmax-regression.js';

const words = (s: string) => s.split(' ').filter(Boolean);

describe('oneEditApart', () => {
  it.each([
    ['passwrd', 'password'],
    ['password', 'pasword'],
    ['invoic', 'invoc'],
    ['recieve', 'receive'],
    ['refund', 'refunt'],
  ])('%s ~ %s', (a, b) => expect(oneEditApart(a, b)).toBe(true));

  it.each([
    ['password', 'password'],
    ['refund', 'return'],
    ['abc', 'abcde'],
    ['invoice', 'invoiec'.slice(0, 5)],
  ])('%s !~ %s', (a, b) => expect(oneEditApart(a, b)).toBe(false));
});

describe('InvertedIndex', () => {
  it('boosts a title match above the same word in a longer body', () => {
    const index = new InvertedIndex([3, 1]);
    index.add('body', [words('billing'), words('refund refund policy for annual plans and more words here')]);
    index.add('title', [words('refund'), words('how money comes back to your card after a cancellation')]);
    expect(index.search(['refund'], { limit: 2 }).map((h) => h.key)).toEqual(['title', 'body']);
  });

  it('reports matched terms and their IDF once per term, whatever the fields', () => {
    const index = new InvertedIndex([3, 1]);
    index.add('a', [words('reset password'), words('reset your password here')]);
    index.add('b', [words('invoices'), words('download invoices')]);
    const [hit] = index.search(['reset', 'password', 'unknown'], { limit: 1 });
    expect(hit).toMatchObject({ key: 'a', matchedTerms: 2 });
    expect(hit!.matchedIdf).toBeCloseTo(index.idf('reset') + index.idf('password'));
  });

  it('finds a misspelled term only when fuzzy, and forgets a removed document at once', () => {
    const index = new InvertedIndex([1]);
    index.add('a', [words('password reset')]);
    index.add('b', [words('invoice download')]);
    expect(index.search(['passwrd'], { limit: 5 })).toEqual([]);
    expect(index.search(['passwrd'], { limit: 5, fuzzy: true }).map((h) => h.key)).toEqual(['a']);
    expect(index.remove('a', [words('password reset')])).toBe(true);
    expect(index.df('password')).toBe(0);
    expect(index.search(['password'], { limit: 5 })).toEqual([]);
    expect(index.remove('a', [words('password reset')])).toBe(false);
    expect(index.size).toBe(1);
  });

  it('MaxScore pruning returns exactly the exhaustive top k (random corpus, many queries)', () => {
    const rand = seededRandom(3);
    const vocab = Array.from({ length: 400 }, (_, i) => `w${i}`);
    // Zipf-like: low ids are common.
    const word = () => vocab[Math.floor(Math.pow(vocab.length, rand())) - 1]!;
    const index = new InvertedIndex([3, 2, 1]);
    const docs = Array.from({ length: 3000 }, () => [1 + Math.floor(rand() * 6), 1 + Math.floor(rand() * 3), 20 + Math.floor(rand() * 200)].map((n) => Array.from({ length: n }, word)));
    docs.forEach((fields, i) => index.add(`d${i}`, fields));
    for (let i = 0; i < 2500; i += 7) index.remove(`d${i}`, docs[i]!);
    for (let q = 0; q < 200; q++) {
      const terms = Array.from({ length: 1 + Math.floor(rand() * 25) }, word);
      const pruned = index.search(terms, { limit: 5 });
      const exhaustive = index.search(terms, { limit: 5, exhaustive: true });
      expect(pruned.map((h) => h.key)).toEqual(exhaustive.map((h) => h.key));
      pruned.forEach((h, i) => expect(h.score).toBeCloseTo(exhaustive[i]!.score, 9));
    }
  });

  it('applies the filter before taking the top k', () => {
    const index = new InvertedIndex([1]);
    for (let i = 0; i < 10; i++) index.add(`a${i}`, [words('refund refund refund')]);
    index.add('b', [words('refund')]);
    expect(index.search(['refund'], { limit: 3, filter: (k) => k === 'b' }).map((h) => h.key)).toEqual(['b']);
  });
});
