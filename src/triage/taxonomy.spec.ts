import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { examplesFromArticles, foldOf, isHeldOut, loadTaxonomy, parseCsvExamples, type TriageExample } from './taxonomy.js';

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

describe('CSV examples', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'taxonomy-csv-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const write = (name: string, content: string): string => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  it('loads a CSV taxonomy: quoted commas, quotes and newlines, optional columns, categories from the rows', () => {
    const file = write(
      'labels.csv',
      [
        'id,text,category,priority,channel,customer_history,notes',
        'a-1,"Hello,\nmy card was charged ""twice""",billing,high,email,"VIP, 2 prior tickets",ignored',
        'a-2,the app crashes on start,technical,,chat,,',
        '',
        'a-3,  where is the invoice  ,billing,Low,,,',
      ].join('\n') + '\n',
    );
    const t = loadTaxonomy(file);
    expect(t.categories).toEqual([
      { name: 'billing', description: '' },
      { name: 'technical', description: '' },
    ]);
    expect(t.examples).toEqual([
      { id: 'a-1', text: 'Hello,\nmy card was charged "twice"', category: 'billing', priority: 'High', channel: 'email', customer_history: 'VIP, 2 prior tickets' },
      { id: 'a-2', text: 'the app crashes on start', category: 'technical', channel: 'chat' },
      { id: 'a-3', text: '  where is the invoice  ', category: 'billing', priority: 'Low' },
    ]);
    expect(t.source).toBe(file);
  });

  it('accepts a "label" column, a byte-order mark, CRLF line ends and header names in any case', () => {
    const file = write('x.csv', '\uFEFFText,Label\r\n"two\r\nlines",card_arrival\r\nactivate it please,activate_my_card\r\n');
    expect(parseCsvExamples(file)).toEqual([
      { text: 'two\nlines', category: 'card_arrival' },
      { text: 'activate it please', category: 'activate_my_card' },
    ]);
  });

  it('reads the columns it is told to read', () => {
    const file = write('x.csv', 'utterance,intent,category\nhello there,greet,ignored\n');
    expect(parseCsvExamples(file, { text: 'utterance', label: 'intent' })).toEqual([{ text: 'hello there', category: 'greet' }]);
  });

  it('names the missing column and lists the header', () => {
    const file = write('x.csv', 'body,category\nhello,a\n');
    expect(() => parseCsvExamples(file)).toThrow(`${file}: no column "text" (columns: body, category)`);
    const noLabel = write('y.csv', 'text,intent\nhello,a\n');
    expect(() => parseCsvExamples(noLabel)).toThrow(`${noLabel}: no column "category" or "label" (columns: text, intent)`);
    expect(() => parseCsvExamples(noLabel, { label: 'topic' })).toThrow(`${noLabel}: no column "topic" (columns: text, intent)`);
  });

  it('rejects a row with empty text or category, naming the file and the line the row starts on', () => {
    const emptyText = write('x.csv', 'text,category\n"first\nrow",a\n\n  ,b\n');
    expect(() => parseCsvExamples(emptyText)).toThrow(`${emptyText}:5: empty text`);
    const emptyLabel = write('y.csv', 'text,category\nfine,a\n"a\nmulti-line\nrow",\n');
    expect(() => parseCsvExamples(emptyLabel)).toThrow(`${emptyLabel}:3: empty category`);
  });

  it('rejects a bad priority, a row with too many fields and an unclosed quote, naming the line', () => {
    const prio = write('p.csv', 'text,category,priority\nok,a,Low\nhm,a,Urgent\n');
    expect(() => parseCsvExamples(prio)).toThrow(`${prio}:3: priority`);
    const wide = write('w.csv', 'text,category\nok,a\nx,b,c\n');
    expect(() => parseCsvExamples(wide)).toThrow(`${wide}:3: Invalid Record Length`);
    const open = write('o.csv', 'text,category\nok,a\n"never closed,b\n');
    expect(() => parseCsvExamples(open)).toThrow(/o\.csv:\d+: Quote Not Closed/);
    const empty = write('e.csv', '');
    expect(() => parseCsvExamples(empty)).toThrow(/empty file/);
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

  it('is fold 0 of foldOf, which spreads keys evenly over 5 folds', () => {
    const examples = Array.from({ length: 500 }, (_, i): TriageExample => ({ id: `k-${i}`, text: 't', category: 'x' }));
    for (const e of examples) expect(isHeldOut(e)).toBe(foldOf(e) === 0);
    for (let f = 0; f < 5; f++) expect(examples.filter((e) => foldOf(e) === f).length).toBeGreaterThan(70);
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
