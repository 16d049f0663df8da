import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { expectProblem, paths } from './helpers/problems.js';
import { describeEachDatabase } from './helpers/databases.js';
import { SEED_TRIAGE, createTestApp } from './helpers/test-app.js';

interface Hit {
  id: string;
  title: string;
  category: string;
  score: number;
  snippet: string;
  highlight: string;
}

/** Made-up words that appear in no shipped article, so a search for one finds only what we wrote. */
const OLD_WORD = 'quokkaflux';
const NEW_WORD = 'wombatrix';

const article = (id: string, extra: Partial<Record<'title' | 'body' | 'category', string>> & { tags?: string[] } = {}) => ({
  id,
  title: `Store test ${id}`,
  body: `Body of ${id}, written by the knowledge-base store test.`,
  category: 'technical',
  tags: ['store-test'],
  ...extra,
});

const markdown = (id: string, title: string, body: string, tags = '[imported, markdown]') =>
  `---\nid: ${id}\ntitle: ${title}\ncategory: general\ntags: ${tags}\n---\n${body}\n`;

describeEachDatabase('knowledge-base store', (db) => {
  let app: NestExpressApplication;
  let env: Record<string, string>;
  const http = () => request(app.getHttpServer());
  const search = async (target: NestExpressApplication, q: string, limit = 10): Promise<Hit[]> =>
    (await request(target.getHttpServer()).get('/knowledge-base/search').query({ q, limit }).expect(200)).body.hits;
  const searchIds = async (q: string, limit = 10) => (await search(app, q, limit)).map((h) => h.id);

  beforeAll(async () => {
    env = db.env();
    app = await createTestApp(env);
  });
  afterAll(async () => {
    await app?.close();
    await db.cleanup();
  });

  describe('seeding and listing', () => {
    it('seeds the 44 shipped articles on first start', async () => {
      const res = await http().get('/knowledge-base/articles').expect(200);
      expect(res.body).toHaveLength(44);
      expect(res.body.map((a: { id: string }) => a.id)).toEqual(Array.from({ length: 44 }, (_, i) => `kb-${String(i + 1).padStart(4, '0')}`));
      expect(res.body[0]).toMatchObject({
        id: 'kb-0001',
        title: 'Reset your password',
        category: 'technical',
        tags: expect.arrayContaining(['password']),
        body: expect.stringContaining('Forgot password?'),
        version: 1,
        updated_at: expect.any(String),
        created_at: expect.any(String),
      });
      expect(res.headers.link).toBeUndefined(); // 44 < the default page of 100
    });

    it('pages with limit/after and a Link rel="next" header until the last page', async () => {
      const seen: string[] = [];
      const pageSizes: number[] = [];
      let next: string | undefined = '/knowledge-base/articles?limit=20';
      while (next) {
        const res: request.Response = await http().get(next).expect(200);
        pageSizes.push(res.body.length);
        seen.push(...res.body.map((a: { id: string }) => a.id));
        const link = res.headers.link as string | undefined;
        if (link) expect(link).toMatch(/^<\/knowledge-base\/articles\?[^>]+>; rel="next"$/);
        next = link ? /^<([^>]+)>/.exec(link)![1] : undefined;
      }
      expect(pageSizes).toEqual([20, 20, 4]);
      expect(seen).toHaveLength(44);
      expect(new Set(seen).size).toBe(44);
      expect(seen).toEqual([...seen].sort());

      const after = await http().get('/knowledge-base/articles').query({ limit: 2, after: 'kb-0042' }).expect(200);
      expect(after.body.map((a: { id: string }) => a.id)).toEqual(['kb-0043', 'kb-0044']);
      expect(after.headers.link).toBe('</knowledge-base/articles?limit=2&after=kb-0044>; rel="next"');
      const past = await http().get('/knowledge-base/articles').query({ limit: 2, after: 'kb-0044' }).expect(200);
      expect(past.body).toEqual([]);
      expect(past.headers.link).toBeUndefined();
    });

    it('filters the list by category, and keeps the filter in the Link', async () => {
      const res = await http().get('/knowledge-base/articles').query({ category: 'billing', limit: 5 }).expect(200);
      expect(res.body).toHaveLength(5);
      for (const a of res.body) expect(a.category).toBe('billing');
      expect(res.headers.link).toContain('category=billing');
    });

    it.each([
      ['limit 0', { limit: 0 }, 'limit'],
      ['limit 1001', { limit: 1001 }, 'limit'],
      ['limit not a number', { limit: 'all' }, 'limit'],
    ])('400 naming the parameter for a bad list query: %s', async (_name, query, path) => {
      const res = await http().get('/knowledge-base/articles').query(query);
      expectProblem(res, 400);
      expect(paths(res)).toContain(path);
    });
  });

  describe('create', () => {
    it('POST → 201 with Location, ETag and version 1; GET returns the same article', async () => {
      const body = article('store-create', { tags: ['one', 'two'] });
      const res = await http().post('/knowledge-base/articles').send(body).expect(201);
      expect(res.headers.location).toBe('/knowledge-base/articles/store-create');
      expect(res.headers.etag).toBe('"1"');
      expect(res.body).toMatchObject({ ...body, version: 1 });
      expect(Date.parse(res.body.created_at)).not.toBeNaN();
      expect(Date.parse(res.body.updated_at)).not.toBeNaN();

      const got = await http().get('/knowledge-base/articles/store-create').expect(200);
      expect(got.headers.etag).toBe('"1"');
      expect(got.body).toEqual(res.body);
    });

    it('generates a readable id from the title when none is given', async () => {
      const res = await http()
        .post('/knowledge-base/articles')
        .send({ title: '  Change your Billing E-mail (Owners only)! ', body: 'Owners can change where invoices go.', category: 'billing' })
        .expect(201);
      expect(res.body.id).toMatch(/^change-your-billing-e-mail-owners-only-[a-z0-9]{7}$/);
      expect(res.body.title).toBe('Change your Billing E-mail (Owners only)!'); // trimmed
      expect(res.body.tags).toEqual([]);
      expect(res.headers.location).toBe(`/knowledge-base/articles/${res.body.id}`);
      await http().get(res.headers.location).expect(200);

      // The same title twice gives two articles, not a conflict.
      const again = await http()
        .post('/knowledge-base/articles')
        .send({ title: 'Change your Billing E-mail (Owners only)!', body: 'Another text.', category: 'billing' })
        .expect(201);
      expect(again.body.id).not.toBe(res.body.id);

      // A title without letters or digits in Latin script still gets an id.
      const symbols = await http().post('/knowledge-base/articles').send({ title: 'Übersicht 日本', body: 'Text.', category: 'general' }).expect(201);
      expect(symbols.body.id).toMatch(/^[a-z0-9][a-z0-9-]{0,63}$/);
    });

    it('409 problem for an id that exists (a shipped one or a new one), and the stored article is unchanged', async () => {
      const dup = await http().post('/knowledge-base/articles').send(article('store-create', { title: 'Overwritten?' }));
      expectProblem(dup, 409);
      expect(dup.body.detail).toMatch(/store-create/);
      expectProblem(await http().post('/knowledge-base/articles').send(article('kb-0001')), 409);

      const got = await http().get('/knowledge-base/articles/store-create').expect(200);
      expect(got.body).toMatchObject({ title: 'Store test store-create', version: 1 });
      expect((await http().get('/knowledge-base/articles/kb-0001').expect(200)).body.title).toBe('Reset your password');
    });

    it.each([
      ['missing title', { body: 'Text.', category: 'technical' }, 'title'],
      ['blank title', { title: '   ', body: 'Text.', category: 'technical' }, 'title'],
      ['missing body', { title: 'T', category: 'technical' }, 'body'],
      ['bad category', { title: 'T', body: 'Text.', category: 'Billing Stuff' }, 'category'],
      ['missing category', { title: 'T', body: 'Text.' }, 'category'],
      ['unknown field', { title: 'T', body: 'Text.', category: 'technical', author: 'me' }, 'author'],
      ['body of only punctuation', { title: 'T', body: '!!! ... ???', category: 'technical' }, 'body'],
      ['id with uppercase', { id: 'KB-Upper', title: 'T', body: 'Text.', category: 'technical' }, 'id'],
      ['id with a space', { id: 'kb 1', title: 'T', body: 'Text.', category: 'technical' }, 'id'],
      ['tags not strings', { title: 'T', body: 'Text.', category: 'technical', tags: [1] }, 'tags[0]'],
      ['title too long', { title: 'x'.repeat(301), body: 'Text.', category: 'technical' }, 'title'],
    ])('400 naming the field: %s', async (_name, body, path) => {
      const before = (await http().get('/knowledge-base/articles').query({ limit: 1000 }).expect(200)).body.length;
      const res = await http().post('/knowledge-base/articles').send(body);
      expectProblem(res, 400);
      expect(paths(res)).toContain(path);
      expect((await http().get('/knowledge-base/articles').query({ limit: 1000 }).expect(200)).body.length).toBe(before);
    });

    it('400 for a body that is not JSON, 404 for an unknown article', async () => {
      expectProblem(await http().post('/knowledge-base/articles').set('content-type', 'application/json').send('{"title":'), 400);
      expectProblem(await http().get('/knowledge-base/articles/store-nope'), 404);
    });
  });

  describe('write → search consistency', () => {
    const id = 'store-lifecycle';
    const v1 = article(id, {
      title: 'Pairing the Parcelo kiosk with a barcode scanner',
      body: `If the ${OLD_WORD} scanner beeps but nothing shows up in the kiosk, re-pair it from the kiosk settings.`,
    });
    const v2 = {
      title: 'Pairing the Parcelo kiosk with a barcode scanner',
      body: `The ${NEW_WORD} scanner replaces the previous model: open the kiosk settings and choose Pair scanner.`,
      category: 'technical',
      tags: ['kiosk', 'scanner'],
    };

    it('a new article is found by search as soon as POST returns', async () => {
      expect(await searchIds(OLD_WORD)).toEqual([]);
      await http().post('/knowledge-base/articles').send(v1).expect(201);
      const hits = await search(app, OLD_WORD);
      expect(hits.map((h) => h.id)).toEqual([id]);
      expect(hits[0]!.highlight).toContain(`<mark>${OLD_WORD}</mark>`);
    });

    it('PUT with new text: found by the new text at once, no longer by the old word; version increments', async () => {
      const res = await http().put(`/knowledge-base/articles/${id}`).set('If-Match', '"1"').send(v2).expect(200);
      expect(res.headers.etag).toBe('"2"');
      expect(res.body).toMatchObject({ id, ...v2, version: 2 });
      expect(await searchIds(NEW_WORD)).toEqual([id]);
      expect(await searchIds(OLD_WORD)).not.toContain(id);
      expect((await http().get(`/knowledge-base/articles/${id}`).expect(200)).body.body).toContain(NEW_WORD);
    });

    it('PUT with the same text changes nothing (same version); without If-Match it just writes', async () => {
      const same = await http().put(`/knowledge-base/articles/${id}`).send(v2).expect(200);
      expect(same.body.version).toBe(2);
      const changed = await http()
        .put(`/knowledge-base/articles/${id}`)
        .send({ ...v2, tags: ['kiosk', 'scanner', 'pairing'] })
        .expect(200);
      expect(changed.body.version).toBe(3);
      expect(changed.headers.etag).toBe('"3"');
    });

    it('If-Match with a stale version → 412 and nothing is written; the current version (W/"3", 3) works', async () => {
      const stale = await http()
        .put(`/knowledge-base/articles/${id}`)
        .set('If-Match', '"2"')
        .send({ ...v2, body: 'A lost update that must not be stored: the zanzibarite.' });
      expectProblem(stale, 412);
      expect((await http().get(`/knowledge-base/articles/${id}`).expect(200)).body).toMatchObject({ version: 3, body: v2.body });
      expect(await searchIds('zanzibarite')).toEqual([]);

      expectProblem(await http().delete(`/knowledge-base/articles/${id}`).set('If-Match', '1'), 412);
      const bad = await http().put(`/knowledge-base/articles/${id}`).set('If-Match', 'latest').send(v2);
      expectProblem(bad, 400);
      expect(paths(bad)).toEqual(['headers.if-match']);

      const weak = await http().put(`/knowledge-base/articles/${id}`).set('If-Match', 'W/"3"').send({ ...v2, title: 'Pair a barcode scanner with the kiosk' }).expect(200);
      expect(weak.body.version).toBe(4);
    });

    it('PUT to a new id creates it (201); If-Match on a missing article → 412; an id mismatch → 400', async () => {
      const created = await http().put('/knowledge-base/articles/store-put-new').send(v2).expect(201);
      expect(created.body).toMatchObject({ id: 'store-put-new', version: 1 });
      expect(created.headers.etag).toBe('"1"');
      expectProblem(await http().put('/knowledge-base/articles/store-put-missing').set('If-Match', '"1"').send(v2), 412);
      expectProblem(await http().get('/knowledge-base/articles/store-put-missing'), 404);

      const mismatch = await http()
        .put('/knowledge-base/articles/store-put-new')
        .send({ ...v2, id: 'other' });
      expectProblem(mismatch, 400);
      expect(paths(mismatch)).toEqual(['id']);
      const badPathId = await http().put('/knowledge-base/articles/Bad_Id').send(v2);
      expectProblem(badPathId, 400);
      expect(paths(badPathId)).toEqual(['params.id']);
      await http().delete('/knowledge-base/articles/store-put-new').expect(204);
    });

    it('DELETE → 204, then 404 everywhere and gone from search and the list', async () => {
      await http().delete(`/knowledge-base/articles/${id}`).set('If-Match', '"4"').expect(204);
      expectProblem(await http().get(`/knowledge-base/articles/${id}`), 404);
      expectProblem(await http().delete(`/knowledge-base/articles/${id}`), 404);
      expect(await searchIds(NEW_WORD)).toEqual([]);
      const list = await http().get('/knowledge-base/articles').query({ limit: 1000 }).expect(200);
      expect(list.body.map((a: { id: string }) => a.id)).not.toContain(id);
    });

    it('a deleted id can be created again (version continues, found by search)', async () => {
      const res = await http().post('/knowledge-base/articles').send(v1).expect(201);
      expect(res.body.version).toBeGreaterThan(1);
      expect(await searchIds(OLD_WORD)).toEqual([id]);
      await http().delete(`/knowledge-base/articles/${id}`).expect(204);
      expect(await searchIds(OLD_WORD)).toEqual([]);
    });
  });

  describe('search', () => {
    it('returns hits with id/title/category/score/snippet/highlight, best first', async () => {
      const hits = await search(app, 'reset forgotten password', 5);
      expect(hits.length).toBeGreaterThan(1);
      expect(hits.length).toBeLessThanOrEqual(5);
      expect(hits[0]!.id).toBe('kb-0001');
      for (const h of hits) {
        expect(Object.keys(h).sort()).toEqual(['category', 'highlight', 'id', 'score', 'snippet', 'title']);
        expect(h).toEqual({
          id: expect.any(String),
          title: expect.any(String),
          category: expect.any(String),
          score: expect.any(Number),
          snippet: expect.any(String),
          highlight: expect.any(String),
        });
        expect(h.snippet.length).toBeGreaterThan(0);
        // The highlight is the snippet with <mark> around matched words (and HTML escaped).
        expect(h.highlight.replace(/<\/?mark>/g, '')).toBe(h.snippet.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'));
      }
      expect(hits[0]!.highlight).toMatch(/<mark>[^<]*password[^<]*<\/mark>/i);
      const scores = hits.map((h) => h.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
    });

    it('respects limit', async () => {
      expect(await search(app, 'password', 1)).toHaveLength(1);
      expect(await search(app, 'password', 3)).toHaveLength(3);
      const fifty = await search(app, 'workspace settings', 50);
      expect(fifty.length).toBeGreaterThan(5);
      expect(fifty.length).toBeLessThanOrEqual(50);
      const dflt = await http().get('/knowledge-base/search').query({ q: 'workspace settings' }).expect(200);
      expect(dflt.body.hits).toHaveLength(5);
    });

    it('filters by category', async () => {
      const hits = (await http().get('/knowledge-base/search').query({ q: 'invoice email', category: 'billing', limit: 10 }).expect(200)).body.hits as Hit[];
      expect(hits.length).toBeGreaterThan(0);
      for (const h of hits) expect(h.category).toBe('billing');
    });

    it('escapes HTML from article text in the highlight', async () => {
      await http()
        .post('/knowledge-base/articles')
        .send(article('store-html', { body: 'The <script>alert("xylophonic")</script> tag & the xylophonic <b>bold</b> mode.' }))
        .expect(201);
      const [hit] = await search(app, 'xylophonic', 1);
      expect(hit!.id).toBe('store-html');
      expect(hit!.highlight).not.toMatch(/<script|<b>/);
      expect(hit!.highlight).toContain('&lt;script&gt;');
      expect(hit!.highlight).toContain('<mark>xylophonic</mark>');
      await http().delete('/knowledge-base/articles/store-html').expect(204);
    });

    it('finds nothing for words no article has', async () => {
      expect(await search(app, 'zzyzx qwxplk', 5)).toEqual([]);
    });

    it.each([
      ['missing q', {}, 'q'],
      ['blank q', { q: '   ' }, 'q'],
      ['q of only punctuation', { q: '?!' }, 'q'],
      ['limit 0', { q: 'password', limit: 0 }, 'limit'],
      ['limit 51', { q: 'password', limit: 51 }, 'limit'],
      ['limit not a number', { q: 'password', limit: 'ten' }, 'limit'],
      ['limit negative', { q: 'password', limit: -1 }, 'limit'],
      ['q too long', { q: 'a '.repeat(600) }, 'q'],
    ])('400 naming the parameter: %s', async (_name, query, path) => {
      const res = await http().get('/knowledge-base/search').query(query);
      expectProblem(res, 400);
      expect(paths(res)).toContain(path);
    });
  });

  describe('import', () => {
    const payload = {
      articles: [
        article('imp-json-a', { body: 'Imported through JSON: the gizmotron dashboard widget.' }),
        { ...article('imp-json-b'), updated_at: '2026-01-02T03:04:05Z' },
      ],
      markdown: [
        { name: 'imp-md-a.md', content: markdown('imp-md-a', 'Markdown import A', 'The **flarbogast** report lives under Settings.') },
        { content: markdown('imp-md-b', '"Markdown: import B"', '## Steps\n1. Open it.\n2. Close it.', '[b]') },
      ],
    };
    const ids = ['imp-json-a', 'imp-json-b', 'imp-md-a', 'imp-md-b'];
    const sorted = (xs: string[]) => [...xs].sort();

    it('creates JSON and Markdown articles, all searchable at once', async () => {
      const res = await http().post('/knowledge-base/import').send(payload).expect(200);
      expect(res.body).toEqual({ created: expect.any(Array), updated: [], unchanged: [], skipped: [] });
      expect(sorted(res.body.created)).toEqual(ids);

      const md = await http().get('/knowledge-base/articles/imp-md-a').expect(200);
      expect(md.body).toMatchObject({ title: 'Markdown import A', category: 'general', tags: ['imported', 'markdown'], body: 'The **flarbogast** report lives under Settings.', version: 1 });
      expect((await http().get('/knowledge-base/articles/imp-md-b').expect(200)).body).toMatchObject({ title: 'Markdown: import B', tags: ['b'] });
      expect((await http().get('/knowledge-base/articles/imp-json-b').expect(200)).body.updated_at).toBe('2026-01-02T03:04:05.000Z');
      expect(await searchIds('gizmotron')).toEqual(['imp-json-a']);
      expect(await searchIds('flarbogast')).toEqual(['imp-md-a']);
    });

    it('re-importing the same payload leaves everything unchanged (same versions)', async () => {
      const res = await http().post('/knowledge-base/import').send(payload).expect(200);
      expect(res.body).toMatchObject({ created: [], updated: [] });
      expect(sorted(res.body.unchanged)).toEqual(ids);
      expect((await http().get('/knowledge-base/articles/imp-md-a').expect(200)).body.version).toBe(1);
    });

    it('reports created / updated / unchanged in one import, and the update is searchable at once', async () => {
      const res = await http()
        .post('/knowledge-base/import')
        .send({
          articles: [
            article('imp-json-a', { body: 'Imported through JSON: the snorkelwhip dashboard widget.' }), // changed
            payload.articles[1], // same
            article('imp-json-c'), // new
          ],
          markdown: [payload.markdown[0]], // same
        })
        .expect(200);
      expect(res.body).toEqual({ created: ['imp-json-c'], updated: ['imp-json-a'], unchanged: expect.any(Array), skipped: [] });
      expect(sorted(res.body.unchanged)).toEqual(['imp-json-b', 'imp-md-a']);
      expect((await http().get('/knowledge-base/articles/imp-json-a').expect(200)).body.version).toBe(2);
      expect(await searchIds('snorkelwhip')).toEqual(['imp-json-a']);
      expect(await searchIds('gizmotron')).toEqual([]);
    });

    it('on_existing "skip" leaves existing articles alone', async () => {
      const res = await http()
        .post('/knowledge-base/import')
        .send({ articles: [article('imp-json-a', { body: 'Should be skipped.' }), article('imp-json-d')], on_existing: 'skip' })
        .expect(200);
      expect(res.body).toEqual({ created: ['imp-json-d'], updated: [], unchanged: [], skipped: ['imp-json-a'] });
      expect((await http().get('/knowledge-base/articles/imp-json-a').expect(200)).body.body).toContain('snorkelwhip');
    });

    it('on_existing "fail" with an existing id → 409 and nothing is imported (not even the new id)', async () => {
      const res = await http()
        .post('/knowledge-base/import')
        .send({
          articles: [article('imp-all-or-nothing', { body: 'The quibblethorn must not be imported.' }), article('imp-json-a', { body: 'Changed by a failed import.' })],
          markdown: [{ content: markdown('imp-md-new', 'New in a failed import', 'Also the quibblethorn.') }],
          on_existing: 'fail',
        });
      expectProblem(res, 409);
      expect(res.body.conflicts).toEqual(['imp-json-a']);
      expectProblem(await http().get('/knowledge-base/articles/imp-all-or-nothing'), 404);
      expectProblem(await http().get('/knowledge-base/articles/imp-md-new'), 404);
      expect((await http().get('/knowledge-base/articles/imp-json-a').expect(200)).body).toMatchObject({ version: 2, body: expect.stringContaining('snorkelwhip') });
      expect(await searchIds('quibblethorn')).toEqual([]);
    });

    it('400 naming markdown[i] for a broken Markdown file, and nothing is imported', async () => {
      const noFrontMatter = await http()
        .post('/knowledge-base/import')
        .send({
          articles: [article('imp-broken-json')],
          markdown: [{ content: markdown('imp-broken-ok', 'Fine', 'Fine.') }, { name: 'broken.md', content: '# Just a heading\n\nNo front matter here.' }],
        });
      expectProblem(noFrontMatter, 400);
      expect(paths(noFrontMatter)).toEqual(['markdown[1]']);
      expect(noFrontMatter.body.errors[0].message).toMatch(/^broken\.md: .*front matter/);

      const noTitle = await http()
        .post('/knowledge-base/import')
        .send({ markdown: [{ content: '---\nid: imp-broken-title\ncategory: general\n---\nBody.' }] });
      expectProblem(noTitle, 400);
      expect(paths(noTitle)).toEqual(['markdown[0]']);
      expect(noTitle.body.errors[0].message).toMatch(/title/);

      const badId = await http()
        .post('/knowledge-base/import')
        .send({ markdown: [{ content: markdown('Imp_Bad', 'Bad id', 'Body.') }] });
      expectProblem(badId, 400);
      expect(paths(badId)).toEqual(['markdown[0]']);
      expect(badId.body.errors[0].message).toMatch(/id/);

      for (const id of ['imp-broken-json', 'imp-broken-ok', 'imp-broken-title']) expectProblem(await http().get(`/knowledge-base/articles/${id}`), 404);
    });

    it('400 for the same id twice in one import (JSON and Markdown), and nothing is imported', async () => {
      const res = await http()
        .post('/knowledge-base/import')
        .send({ articles: [article('imp-dup'), article('imp-dup-other')], markdown: [{ content: markdown('imp-dup', 'Duplicate', 'Body.') }] });
      expectProblem(res, 400);
      expect(res.body.errors).toEqual([{ path: 'markdown[0].id', message: '"imp-dup" is also the id of articles[0]' }]);
      expectProblem(await http().get('/knowledge-base/articles/imp-dup'), 404);
      expectProblem(await http().get('/knowledge-base/articles/imp-dup-other'), 404);
    });

    it.each([
      ['an empty import', {}, 'articles'],
      ['an unknown on_existing', { articles: [article('imp-x')], on_existing: 'overwrite' }, 'on_existing'],
      ['an article without id', { articles: [{ title: 'T', body: 'B', category: 'general' }] }, 'articles[0].id'],
      ['an unknown field', { articles: [{ ...article('imp-x'), author: 'me' }] }, 'articles[0].author'],
      ['a bad updated_at', { articles: [{ ...article('imp-x'), updated_at: 'yesterday' }] }, 'articles[0].updated_at'],
      ['an empty Markdown file', { markdown: [{ content: '' }] }, 'markdown[0].content'],
    ])('400 naming the field for %s', async (_name, body, path) => {
      const res = await http().post('/knowledge-base/import').send(body);
      expectProblem(res, 400);
      expect(paths(res)).toContain(path);
    });
  });

  describe('agents see the stored articles', () => {
    const ticket = { category: 'technical', priority: 'Medium', confidence: 0.9, ticket_metadata: SEED_TRIAGE.metadata, clarification_needed: false };
    const inquiry = 'The thermal label printer connected to Parcelo prints blank labels. How do I calibrate the label printer?';

    it('the resolution agent answers from a newly created article and cites its id', async () => {
      const before = await http().post('/run_resolution/').send({ ticket, inquiry_text: inquiry }).expect(200);
      expect(`${before.body.resolution_result.resolution_notes}`).not.toContain('store-label-printer');

      await http()
        .post('/knowledge-base/articles')
        .send({
          id: 'store-label-printer',
          title: 'Thermal label printer prints blank labels',
          body:
            'If your thermal label printer prints blank labels, calibrate the label printer: hold the feed button for five seconds until it feeds two labels. ' +
            'Then print a test label from Settings > Devices > Label printer.',
          category: 'technical',
          tags: ['label printer', 'thermal printer', 'calibrate'],
        })
        .expect(201);

      const res = await http().post('/run_resolution/').send({ ticket, inquiry_text: inquiry }).expect(200);
      const r = res.body.resolution_result;
      expect(r.ticket_status).toBe('resolved');
      expect(r.resolution_notes).toMatch(/^Used KB article store-label-printer\b/);
      expect(r.resolution_reply).toContain('(store-label-printer)');
      expect(r.resolution_reply).toMatch(/feed button/);

      const kb = await http().post('/run_agent/').send({ agent_name: 'knowledge_base_agent', query: inquiry }).expect(200);
      expect(kb.body.output.articles[0].id).toBe('store-label-printer');
    });

    it('after a delete the agents no longer cite it', async () => {
      await http().delete('/knowledge-base/articles/store-label-printer').expect(204);
      const res = await http().post('/run_resolution/').send({ ticket, inquiry_text: inquiry }).expect(200);
      expect(JSON.stringify(res.body.resolution_result)).not.toContain('store-label-printer');
    });
  });

  // PGlite locks its data directory to one process, so only PostgreSQL can share a schema.
  const shared = db.name === 'PostgreSQL';
  (shared ? describe : describe.skip)(
    shared ? 'two instances on the same schema' : 'two instances on one database — SKIPPED on PGlite: one process per data directory by design (the lock refuses a second)',
    () => {
    let other: NestExpressApplication;
    beforeAll(async () => {
      other = await createTestApp(env);
    });
    afterAll(async () => {
      await other?.close();
    });

    it('the second instance does not seed again and lists the same articles', async () => {
      const mine = (await http().get('/knowledge-base/articles').query({ limit: 1000 }).expect(200)).body;
      const theirs = (await request(other.getHttpServer()).get('/knowledge-base/articles').query({ limit: 1000 }).expect(200)).body;
      expect(theirs).toEqual(mine);
    });

    it('an article written through A is found by search on B at once; an update moves it; a delete on A removes it from B', async () => {
      const id = 'store-two-instances';
      expect((await search(other, 'plumbobulator')).map((h) => h.id)).toEqual([]);
      await http()
        .post('/knowledge-base/articles')
        .send(article(id, { body: 'Written through instance A: the plumbobulator.' }))
        .expect(201);
      expect((await search(other, 'plumbobulator')).map((h) => h.id)).toEqual([id]);
      expect((await request(other.getHttpServer()).get(`/knowledge-base/articles/${id}`).expect(200)).body.version).toBe(1);

      await http()
        .put(`/knowledge-base/articles/${id}`)
        .set('If-Match', '"1"')
        .send({ title: 'Two instances', body: 'Now about the fizzlewick.', category: 'technical' })
        .expect(200);
      expect((await search(other, 'fizzlewick')).map((h) => h.id)).toEqual([id]);
      expect((await search(other, 'plumbobulator')).map((h) => h.id)).toEqual([]);

      // B writes with a stale version → 412; with the current one, A sees it.
      expectProblem(
        await request(other.getHttpServer()).put(`/knowledge-base/articles/${id}`).set('If-Match', '"1"').send({ title: 'B', body: 'Stale.', category: 'technical' }),
        412,
      );

      await http().delete(`/knowledge-base/articles/${id}`).expect(204);
      expect((await search(other, 'fizzlewick')).map((h) => h.id)).toEqual([]);
      expectProblem(await request(other.getHttpServer()).get(`/knowledge-base/articles/${id}`), 404);
    });

    it('an import on B is found by search on A', async () => {
      await request(other.getHttpServer())
        .post('/knowledge-base/import')
        .send({ markdown: [{ content: markdown('store-import-on-b', 'Imported on B', 'The grumbleflax appears on A too.') }] })
        .expect(200);
      expect(await searchIds('grumbleflax')).toEqual(['store-import-on-b']);
    });

    it('concurrent creates of one id on both instances: exactly one wins, the other gets 409', async () => {
      const body = article('store-race', { body: 'Raced.' });
      const results = await Promise.all([
        http().post('/knowledge-base/articles').send(body),
        request(other.getHttpServer()).post('/knowledge-base/articles').send(body),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
      expect((await search(other, 'store-race raced')).map((h) => h.id)).toContain('store-race');
    });
  },
  );
});
