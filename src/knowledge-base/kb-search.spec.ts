import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMarkdownArticle, type Article } from './article.js';
import { KbSearch } from './kb-search.js';

function article(id: string, title: string, body: string, category = 'technical', tags: string[] = []): Article {
  return { id, title, category, tags, body };
}

const RESET = article(
  'reset-password',
  'Reset your password',
  'Forgot your password? You can reset your password yourself from the sign-in page.\n\n' +
    '## Steps\n1. Click Forgot password on the sign-in page.\n2. Open the reset email and choose a new password.',
  'technical',
  ['password', 'sign-in'],
);
const INVOICES = article(
  'download-invoices',
  'Download invoices',
  'Invoices are listed under Settings > Billing for the workspace owner. ' +
    'Each invoice shows the plan, the number of seats and the tax. If you lost your password, ask an admin first.',
  'billing',
  ['invoice', 'receipt'],
);
const SYNC = article(
  'desktop-sync',
  'Desktop sync client',
  'The desktop sync client keeps your files up to date on your computer.\n\n## Troubleshooting\nRestart the client and check your connection.',
);
const EXPORT = article(
  'export-data',
  'Export workspace data',
  'Owners can export all projects, tasks and files as a ZIP archive from Settings > Export.',
  'general',
);

function buildIndex(): KbSearch {
  const kb = new KbSearch();
  for (const a of [RESET, INVOICES, SYNC, EXPORT]) kb.upsert(a);
  return kb;
}

describe('KbSearch', () => {
  it('indexes the articles it is given', () => {
    const kb = buildIndex();
    expect(kb.size).toBe(4);
    expect(kb.get('desktop-sync')).toBe(SYNC);
    expect(kb.get('nope')).toBeUndefined();
    expect(kb.all().map((a) => a.id).sort()).toEqual(['desktop-sync', 'download-invoices', 'export-data', 'reset-password']);
  });

  it('ranks an article about the query above one that mentions it once', () => {
    const hits = buildIndex().search('password');
    expect(hits.map((h) => h.id)).toEqual(['reset-password', 'download-invoices']);
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
    expect(hits[0]).toMatchObject({ title: 'Reset your password', category: 'technical' });
  });

  it('stems query and text: "resetting passwords" finds "reset password"', () => {
    const hits = buildIndex().search('resetting passwords');
    expect(hits[0]!.id).toBe('reset-password');
    expect(hits[0]!.match).toBe(1);
  });

  it('finds nothing for a query of stop words only, an empty query or an empty index', () => {
    const kb = buildIndex();
    expect(kb.search('the and of it is to')).toEqual([]);
    expect(kb.search('')).toEqual([]);
    expect(kb.search('   ?! ')).toEqual([]);
    expect(new KbSearch().search('password')).toEqual([]);
  });

  it('does not match substrings or prefixes: "pass" does not find "password"', () => {
    const kb = buildIndex();
    expect(kb.search('pass')).toEqual([]);
    expect(kb.search('passw')).toEqual([]);
    expect(kb.search('invo')).toEqual([]);
  });

  it('tolerates one typo in terms of 6+ characters only (fuzzy), without counting them as matched', () => {
    const kb = buildIndex();
    // "passwrd" (7 characters) is one edit from "password": found through fuzzy matching...
    const typo = kb.search('passwrd');
    expect(typo[0]!.id).toBe('reset-password');
    // ...but a fuzzy match is not an exact term, so it adds nothing to coverage.
    expect(typo[0]!.match).toBe(0);
    expect(typo[0]!.score).toBeLessThan(kb.search('password')[0]!.score);
    // Short terms are not fuzzy: "rest" (one edit from "reset") finds nothing.
    expect(kb.search('rest')).toEqual([]);
  });

  it('returns at most `limit` hits (5 by default)', () => {
    const kb = new KbSearch();
    for (let i = 0; i < 8; i++) kb.upsert(article(`a${i}`, `Article ${i}`, `Workspace settings page number ${i}.`));
    expect(kb.search('workspace settings')).toHaveLength(5);
    expect(kb.search('workspace settings', 3)).toHaveLength(3);
    expect(kb.search('workspace settings', 1)).toHaveLength(1);
    expect(kb.search('workspace settings', 20)).toHaveLength(8);
  });

  it('filters by category', () => {
    const kb = buildIndex();
    expect(kb.search('password', 5, { category: 'billing' }).map((h) => h.id)).toEqual(['download-invoices']);
    expect(kb.search('password', 5, { category: 'technical' }).map((h) => h.id)).toEqual(['reset-password']);
    expect(kb.search('password', 5, { category: 'general' })).toEqual([]);
    expect(kb.search('password', 5, {}).map((h) => h.id)).toEqual(['reset-password', 'download-invoices']);
  });

  it('reports match in [0, 1]: 1 when all known terms are present, less when some are missing', () => {
    const kb = buildIndex();
    for (const q of ['password', 'sync password', 'invoice tax seats export', 'desktop files computer password']) {
      for (const h of kb.search(q)) {
        expect(h.match).toBeGreaterThanOrEqual(0);
        expect(h.match).toBeLessThanOrEqual(1);
      }
    }
    // "xyzzy" is in no article, so it does not count against coverage.
    expect(kb.search('reset password xyzzy')[0]).toMatchObject({ id: 'reset-password', match: 1 });
    const partial = kb.search('sync password').find((h) => h.id === 'reset-password')!;
    expect(partial.match).toBeGreaterThan(0);
    expect(partial.match).toBeLessThan(1);
  });

  it('upsert replaces an article: its new text is found and its old text is not', () => {
    const kb = buildIndex();
    kb.upsert(article('reset-password', 'Set up a passkey', 'Passkeys let you sign in with your fingerprint or face.'));
    expect(kb.size).toBe(4);
    expect(kb.get('reset-password')!.title).toBe('Set up a passkey');
    expect(kb.search('passkey fingerprint')[0]).toMatchObject({ id: 'reset-password', title: 'Set up a passkey', match: 1 });
    expect(kb.search('reset password').map((h) => h.id)).not.toContain('reset-password');
    expect(kb.search('forgot').map((h) => h.id)).not.toContain('reset-password');
  });

  it('remove drops an article from results, size and coverage statistics', () => {
    const kb = buildIndex();
    expect(kb.search('sync password').find((h) => h.id === 'reset-password')!.match).toBeLessThan(1);
    expect(kb.remove('desktop-sync')).toBe(true);
    expect(kb.size).toBe(3);
    expect(kb.get('desktop-sync')).toBeUndefined();
    expect(kb.search('desktop sync client')).toEqual([]);
    // "sync" is no longer a known term, so it no longer counts against coverage.
    expect(kb.search('sync password')[0]).toMatchObject({ id: 'reset-password', match: 1 });
    expect(kb.remove('desktop-sync')).toBe(false);
    expect(kb.remove('never-there')).toBe(false);
  });

  it('gives a snippet: the body sentence that contains the query terms', () => {
    const hit = buildIndex().search('invoice tax')[0]!;
    expect(hit.id).toBe('download-invoices');
    expect(hit.snippet).toMatch(/tax/i);
    expect(hit.snippet).toMatch(/invoice/i);
    expect(hit.snippet.length).toBeLessThanOrEqual(220);
  });

  it('gives as content the lead and the best matching sections, preferring numbered steps', () => {
    const kb = new KbSearch();
    kb.upsert(
      article(
        'procedure',
        'Password resets',
        'This article covers password resets.\n\n' +
          '## Reset password policy\nA password reset link expires after one hour.\n\n' +
          '## Install the app\n1. Download the app.\n2. Open it.\n\n' +
          '## Steps to reset your password\n1. Open the sign-in page.\n2. Click reset password and follow the email.\n',
      ),
    );
    const passage = kb.passage('procedure', 'reset password')!;
    expect(passage.startsWith('This article covers password resets.')).toBe(true);
    expect(passage).toContain('Steps to reset your password:\n1. Open the sign-in page.');
    // The second matching section is included too (in article order), within the size budget.
    expect(passage).toContain('Reset password policy:\nA password reset link expires after one hour.');
    expect(passage.indexOf('Reset password policy')).toBeLessThan(passage.indexOf('Steps to reset'));
    expect(passage).not.toContain('Download the app');
    expect(kb.search('reset password')[0]!.content).toBe(passage);
    expect(kb.passage('missing', 'reset password')).toBeUndefined();
  });

  it('prefers a section that matches over numbered steps that do not', () => {
    const kb = new KbSearch();
    kb.upsert(
      article(
        'mixed',
        'Sync',
        'Lead.\n\n## Install the app\n1. Download the app.\n2. Open it.\n\n## Sync conflicts\nWhen two people edit a file offline, sync keeps both conflict copies.',
      ),
    );
    const passage = kb.passage('mixed', 'sync conflict copies')!;
    expect(passage).toContain('Sync conflicts:\nWhen two people edit');
    expect(passage).not.toContain('Download the app');
  });
});

describe('KbSearch on the shipped knowledge base (data/kb)', () => {
  const kb = new KbSearch();
  const dir = join(process.cwd(), 'data/kb');
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.md'))) kb.upsert(parseMarkdownArticle(readFileSync(join(dir, f), 'utf8')));

  it('indexes all 44 articles', () => {
    expect(kb.size).toBe(44);
  });

  it('"I forgot my password" → kb-0001 first', () => {
    const hits = kb.search('I forgot my password');
    expect(hits[0]!.id).toBe('kb-0001');
    expect(hits[0]!.match).toBe(1);
  });

  it('"charged twice" → kb-0027 first', () => {
    const hits = kb.search('charged twice');
    expect(hits[0]!.id).toBe('kb-0027');
    expect(hits[0]!.category).toBe('billing');
  });
});
