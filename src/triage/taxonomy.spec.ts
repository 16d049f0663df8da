import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { examplesFromArticles, isHeldOut, loadTaxonomy, type TriageExample } from './taxonomy.js';

const SHIPPED = join(process.cwd(), 'data/triage/taxonomy.json');

describe('loadTaxonomy', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'taxonomy-spec-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const write = (name: string, content: unknown): string => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  const jsonl = (rows: object[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

  it('loads the shipped taxonomy: 3 categories, ≥ 300 labeled examples, each category with examples', () => {
    const t = loadTaxonomy(SHIPPED);
    expect(t.source).toBe(SHIPPED);
    expect(t.categories.map((c) => c.name)).toEqual(['technical', 'billing', 'general']);
    for (const c of t.categories) {
      expect(c.description.length).toBeGreaterThan(0);
      expect(t.examples.filter((e) => e.category === c.name).length).toBeGreaterThan(50);
    }
    expect(t.examples.length).toBeGreaterThanOrEqual(300);
    const names = new Set(t.categories.map((c) => c.name));
    for (const e of t.examples) {
      expect(names.has(e.category)).toBe(true);
      expect(e.text.length).toBeGreaterThan(0);
    }
    expect(t.examples.every((e) => e.priority === undefined || ['High', 'Medium', 'Low'].includes(e.priority))).toBe(true);
    const ids = t.examples.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('loads a custom JSON taxonomy with its own examples (and any *.jsonl next to it)', () => {
    const file = write('custom.json', {
      categories: [
        { name: 'shipping', description: 'Parcels and delivery', examples: [{ text: 'where is my parcel', priority: 'Medium' }] },
        { name: 'returns', examples: [{ text: 'I want to return these shoes' }, { text: 'return label missing', priority: 'Low' }] },
      ],
    });
    let t = loadTaxonomy(file);
    expect(t.categories).toEqual([
      { name: 'shipping', description: 'Parcels and delivery' },
      { name: 'returns', description: '' },
    ]);
    expect(t.examples).toEqual([
      { text: 'where is my parcel', priority: 'Medium', category: 'shipping' },
      { text: 'I want to return these shoes', category: 'returns' },
      { text: 'return label missing', priority: 'Low', category: 'returns' },
    ]);
    expect(t.source).toBe(file);

    write('more.jsonl', jsonl([{ id: 'x-1', text: 'parcel arrived damaged', category: 'shipping', priority: 'High' }]));
    t = loadTaxonomy(file);
    expect(t.examples).toHaveLength(4);
    expect(t.examples[3]).toEqual({ id: 'x-1', text: 'parcel arrived damaged', category: 'shipping', priority: 'High' });
  });

  it('loads a JSONL taxonomy: categories are those of its examples', () => {
    const file = write(
      'labels.jsonl',
      jsonl([
        { text: 'the app crashes', category: 'tech', priority: 'High' },
        { text: 'refund please', category: 'money' },
      ]) + '\n   \n',
    );
    write('ignored.jsonl', jsonl([{ text: 'not read', category: 'other' }]));
    const t = loadTaxonomy(file);
    expect(t.categories).toEqual([
      { name: 'money', description: '' },
      { name: 'tech', description: '' },
    ]);
    expect(t.examples).toEqual([
      { text: 'the app crashes', category: 'tech', priority: 'High' },
      { text: 'refund please', category: 'money' },
    ]);
  });

  it('throws naming the example and its category when the category is unknown', () => {
    const file = write('taxonomy.json', { categories: [{ name: 'billing', examples: [{ text: 'invoice question' }] }] });
    write('extra.jsonl', jsonl([{ id: 'odd-7', text: 'my parcel is late', category: 'shipping' }]));
    expect(() => loadTaxonomy(file)).toThrow(/example "odd-7" has unknown category "shipping"/);
  });

  it('throws when a category has no labeled examples', () => {
    const file = write('taxonomy.json', {
      categories: [{ name: 'billing', examples: [{ text: 'invoice question' }] }, { name: 'empty' }],
    });
    expect(() => loadTaxonomy(file)).toThrow(/category "empty" has no labeled examples/);
  });

  it('throws on an invalid file, naming the file, and on an invalid JSONL line, naming the line', () => {
    const bad = write('bad.json', { categories: [{ name: 'Not Lowercase', examples: [{ text: 'x' }] }] });
    expect(() => loadTaxonomy(bad)).toThrow(bad);
    const badLine = write('bad.jsonl', jsonl([{ text: 'ok', category: 'a' }, { text: 'no category' }]));
    expect(() => loadTaxonomy(badLine)).toThrow(`${badLine}:2: category`);
    const badPriority = write('prio.jsonl', jsonl([{ text: 'ok', category: 'a', priority: 'Urgent' }]));
    expect(() => loadTaxonomy(badPriority)).toThrow(/:1: priority/);
  });
});

describe('isHeldOut', () => {
  it('holds out roughly 20% of the shipped examples, deterministically', () => {
    const { examples } = loadTaxonomy(SHIPPED);
    const held = examples.filter(isHeldOut);
    const share = held.length / examples.length;
    expect(share).toBeGreaterThan(0.15);
    expect(share).toBeLessThan(0.25);
    expect(examples.filter(isHeldOut)).toEqual(held);
    // Every category is represented in the held-out split.
    for (const c of ['technical', 'billing', 'general']) expect(held.some((e) => e.category === c)).toBe(true);
  });

  it('depends only on the id (or the text without an id)', () => {
    const a: TriageExample = { id: 'tech-001', text: 'one text', category: 'technical' };
    const b: TriageExample = { id: 'tech-001', text: 'another text', category: 'billing', priority: 'High' };
    expect(isHeldOut(a)).toBe(isHeldOut(b));
    const texts = Array.from({ length: 1000 }, (_, i) => `synthetic inquiry number ${i}`);
    const share = texts.filter((text) => isHeldOut({ text, category: 'x' })).length / texts.length;
    expect(share).toBeGreaterThan(0.15);
    expect(share).toBeLessThan(0.25);
    for (const text of texts.slice(0, 50)) {
      expect(isHeldOut({ text, category: 'x' })).toBe(isHeldOut({ text, category: 'y', id: undefined }));
    }
  });
});

describe('examplesFromArticles', () => {
  const articles = [
    { title: 'Reset your password', category: 'technical', body: 'Lead text.\n\n## Steps\n1. Click reset.\n\n## If that fails\nContact us.' },
    { title: 'Refunds', category: 'billing', body: 'Refunds within 14 days.' },
    { title: 'Partner program', category: 'partners', body: 'Become a partner.\n\n## Apply\nFill in the form.' },
  ];

  it('gives one example per section, prefixed with the title, without priority', () => {
    expect(examplesFromArticles(articles, ['technical', 'billing', 'general'])).toEqual([
      { text: 'Reset your password. Lead text.\n', category: 'technical' },
      { text: 'Reset your password. ## Steps\n1. Click reset.\n', category: 'technical' },
      { text: 'Reset your password. ## If that fails\nContact us.', category: 'technical' },
      { text: 'Refunds. Refunds within 14 days.', category: 'billing' },
    ]);
  });

  it('skips articles whose category is outside the taxonomy', () => {
    const examples = examplesFromArticles(articles, ['billing']);
    expect(examples).toEqual([{ text: 'Refunds. Refunds within 14 days.', category: 'billing' }]);
    expect(examplesFromArticles(articles, [])).toEqual([]);
  });
});
