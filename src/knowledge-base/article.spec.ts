import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMarkdownArticle, sectionsOf } from './article.js';

const ARTICLE = [
  '---',
  'id: kb-0100',
  'title: Reset your password',
  'category: technical',
  'tags: [password, reset, forgot-password]',
  '---',
  'Forgot your password? Set a new one from the sign-in page.',
  '',
  '## Steps',
  '1. Click **Forgot password?**.',
  '2. Open the email and choose a new password.',
  '',
].join('\n');

describe('parseMarkdownArticle', () => {
  it('reads id, title, category and tags from the front matter and the rest as the body', () => {
    const article = parseMarkdownArticle(ARTICLE);
    expect(article.id).toBe('kb-0100');
    expect(article.title).toBe('Reset your password');
    expect(article.category).toBe('technical');
    expect(article.tags).toEqual(['password', 'reset', 'forgot-password']);
    expect(article.body.startsWith('Forgot your password?')).toBe(true);
    expect(article.body).toContain('## Steps');
    expect(article.body).not.toContain('---');
    expect(article.body).toBe(article.body.trim());
  });

  it('keeps the updated_at it is given', () => {
    expect(parseMarkdownArticle(ARTICLE, '2025-01-02T03:04:05.000Z').updated_at).toBe('2025-01-02T03:04:05.000Z');
    expect(parseMarkdownArticle(ARTICLE).updated_at).toBeUndefined();
  });

  it('accepts CRLF line endings', () => {
    const article = parseMarkdownArticle(ARTICLE.replace(/\n/g, '\r\n'));
    expect(article.id).toBe('kb-0100');
    expect(article.tags).toEqual(['password', 'reset', 'forgot-password']);
  });

  it('defaults tags to an empty list and stringifies non-string tags', () => {
    const noTags = parseMarkdownArticle('---\nid: a1\ntitle: T\ncategory: general\n---\nBody text.');
    expect(noTags.tags).toEqual([]);
    const numeric = parseMarkdownArticle('---\nid: a1\ntitle: T\ncategory: general\ntags: [2fa, 123]\n---\nBody text.');
    expect(numeric.tags).toEqual(['2fa', '123']);
  });

  it('throws when the front matter is missing', () => {
    expect(() => parseMarkdownArticle('# Reset your password\n\nJust a body.')).toThrow(/missing YAML front matter/);
    expect(() => parseMarkdownArticle('id: kb-1\ntitle: T\ncategory: c\n---\nBody')).toThrow(/missing YAML front matter/);
  });

  it('throws naming the id when the id is not lowercase letters, digits and dashes', () => {
    for (const id of ['KB-0001', 'kb 0001', '-kb', 'kb_0001']) {
      expect(() => parseMarkdownArticle(ARTICLE.replace('id: kb-0100', `id: ${id}`))).toThrow(/^id: lowercase letters, digits and dashes/);
    }
  });

  it('throws naming the missing fields and an empty body', () => {
    expect(() => parseMarkdownArticle('---\nid: kb-1\ncategory: c\n---\nBody')).toThrow(/title/);
    expect(() => parseMarkdownArticle('---\nid: kb-1\ntitle: T\n---\nBody')).toThrow(/category/);
    expect(() => parseMarkdownArticle('---\ntitle: T\ncategory: c\n---\nBody')).toThrow(/id/);
    expect(() => parseMarkdownArticle('---\nid: kb-1\ntitle: T\ncategory: c\n---\n   \n')).toThrow(/body/);
  });

  it('parses every shipped article, whose id is the prefix of its file name', () => {
    const files = readdirSync(join(process.cwd(), 'data/kb')).filter((f) => f.endsWith('.md'));
    expect(files.length).toBe(44);
    for (const f of files) {
      const article = parseMarkdownArticle(readFileSync(join(process.cwd(), 'data/kb', f), 'utf8'));
      expect(f.startsWith(`${article.id}-`)).toBe(true);
    }
  });
});

describe('sectionsOf', () => {
  it('splits the lead paragraph and the ## / ### sections', () => {
    const body = 'Lead paragraph.\nSecond lead line.\n\n## Steps\n1. One.\n2. Two.\n\n### Details\nMore text.\n## Last\nEnd.';
    expect(sectionsOf(body)).toEqual([
      { heading: '', text: 'Lead paragraph.\nSecond lead line.' },
      { heading: 'Steps', text: '1. One.\n2. Two.' },
      { heading: 'Details', text: 'More text.' },
      { heading: 'Last', text: 'End.' },
    ]);
  });

  it('has no lead section when the body starts with a heading, and keeps empty sections', () => {
    expect(sectionsOf('## Empty\n## Next\ntext\r\nmore')).toEqual([
      { heading: 'Empty', text: '' },
      { heading: 'Next', text: 'text\nmore' },
    ]);
  });

  it('does not treat # titles or #### as section headings', () => {
    expect(sectionsOf('# Title\nText\n#### Deep\nMore')).toEqual([{ heading: '', text: '# Title\nText\n#### Deep\nMore' }]);
  });

  it('returns nothing for an empty body', () => {
    expect(sectionsOf('')).toEqual([]);
    expect(sectionsOf('\n\n')).toEqual([]);
  });
});
