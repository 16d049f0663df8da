import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { paths } from './helpers/problems.js';
import { createTestApp } from './helpers/test-app.js';

// Import, PUT and search edge cases (found in review) on the embedded database.
let app: NestExpressApplication;
beforeAll(async () => { app = await createTestApp(); });
afterAll(() => app.close());
const http = () => request(app.getHttpServer());
const md = (front: string, body: string) => `---\n${front}\n---\n${body}\n`;

it.each([
  ['a category with uppercase and a space', md('id: bug-md-cat\ntitle: T\ncategory: Billing Stuff', 'Body text.')],
  ['a body of only punctuation', md('id: bug-md-body\ntitle: T\ncategory: general', '!!! ...')],
  ['a blank title', md('id: bug-md-title\ntitle: "   "\ncategory: general', 'Body text.')],
  ['an updated_at that is not a date', md('id: bug-md-date\ntitle: T\ncategory: general\nupdated_at: yesterday', 'Body text.')],
])('import: a Markdown file is held to the same rules as a JSON article → 400 naming markdown[0] (%s)', async (_name, content) => {
  const res = await http().post('/knowledge-base/import').send({ markdown: [{ content }] });
  expect(res.status).toBe(400);
  expect(paths(res)[0]).toMatch(/^markdown\[0\]/);
});

it('import: a duplicate id is reported at the entry that repeats it, naming the first one', async () => {
  const res = await http()
    .post('/knowledge-base/import')
    .send({ articles: [{ id: 'bug-dup', title: 'T', body: 'B', category: 'general' }], markdown: [{ content: md('id: bug-dup\ntitle: T\ncategory: general', 'B') }] });
  expect(res.status).toBe(400);
  expect(paths(res)).toEqual(['markdown[0].id']);
  expect(res.body.errors[0].message).toContain('articles[0]');
});

it('PUT with a malformed id in the path says what an id must look like', async () => {
  const res = await http().put('/knowledge-base/articles/Bad_Id').send({ title: 'T', body: 'Body text.', category: 'general' });
  expect(res.status).toBe(400);
  expect(res.body.errors).toEqual([{ path: 'params.id', message: expect.stringMatching(/lowercase letters/) }]);
});

it('search: a short article that matches has a non-empty snippet', async () => {
  await http().post('/knowledge-base/articles').send({ id: 'bug-short', title: 'Kiosk pairing', body: 'Use the gloptrix.', category: 'general' }).expect(201);
  const res = await http().get('/knowledge-base/search').query({ q: 'gloptrix' }).expect(200);
  expect(res.body.hits[0].id).toBe('bug-short');
  expect(res.body.hits[0].snippet).not.toBe('');
});

it.each([
  ['a NUL', '"Reset\\0 password"'],
  ['an unpaired surrogate', '"Reset \\uD800 password"'],
])('import: %s written as a YAML escape in front matter is a 400 naming the field, not a database error', async (_what, title) => {
  const res = await http().post('/knowledge-base/import').send({ markdown: [{ content: md(`id: yaml-esc\ntitle: ${title}\ncategory: general`, 'Body text here.') }] });
  expect(res.status).toBe(400);
  expect(paths(res)).toEqual(['markdown[0].title']);
  expect(res.body.errors[0].message).toMatch(/NUL characters or unpaired surrogates/);
});
