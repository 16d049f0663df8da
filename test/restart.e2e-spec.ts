import type { NestExpressApplication } from '@nestjs/platform-express';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { describeEachDatabase } from './helpers/databases.js';
import { SEED_TRIAGE, createTestApp } from './helpers/test-app.js';

const LOCK_FILE = 'support-agents.lock';

const LOCKED_OUT = { inquiry_text: 'I forgot my password and now I cannot log in to my account', metadata: { channel: 'email', customer_id: 'c-42' } };
const HACKED = { inquiry_text: 'Someone hacked my account and changed my email address', metadata: { channel: 'chat', customer_id: 'c-9' } };
const VAGUE = { inquiry_text: 'hello?', metadata: { channel: 'chat', customer_id: 'c-7' } };
const ASYNC_TICKET = { inquiry_text: 'How do I export my whole workspace to JSON?', metadata: { channel: 'web', customer_id: 'c-async' } };

const NEW_ARTICLE = {
  id: 'restart-new-article',
  title: 'Connect the Parcelo kiosk to a receipt printer',
  body: 'The kiosk prints receipts on any ESC/POS printer. Pair the blorptastic printer from Settings > Devices.',
  category: 'technical',
  tags: ['kiosk', 'printer'],
};

/** Polls GET /tickets/:id until `done` holds (recovery after a restart runs in the background). */
async function waitForTicket(app: NestExpressApplication, id: string, done: (t: { status: string }) => boolean, ms = 4_000) {
  const until = Date.now() + ms;
  for (;;) {
    const res = await request(app.getHttpServer()).get(`/tickets/${id}`).expect(200);
    if (done(res.body) || Date.now() > until) return res.body;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describeEachDatabase('restart', (db) => {
  let app: NestExpressApplication | undefined;
  let env: Record<string, string>;
  const http = () => request(app!.getHttpServer());

  /** What was written before the restart, to compare with what is read after it. */
  const tickets: Record<string, any> = {};
  const articles: Record<string, any> = {};
  let asyncTicketId: string;
  let articleCount: number;

  beforeAll(async () => {
    env = db.env();
    app = await createTestApp(env);
  });
  afterAll(async () => {
    await app?.close();
    await db.cleanup();
  });

  it('before: stores tickets (with events) and knowledge-base changes', async () => {
    tickets.seed = (await http().post('/tickets').send(SEED_TRIAGE).expect(201)).body;
    expect(tickets.seed.events.length).toBeGreaterThanOrEqual(3);
    tickets.resolved = (await http().post('/tickets').send(LOCKED_OUT).expect(201)).body;
    expect(tickets.resolved.status).toBe('resolved');
    tickets.escalated = (await http().post('/tickets').send(HACKED).expect(201)).body;
    expect(tickets.escalated.status).toBe('escalated');
    const vague = (await http().post('/tickets').send(VAGUE).expect(201)).body;
    expect(vague.status).toBe('pending further action');
    // Updates from people add events.
    await http().post(`/tickets/${tickets.escalated.id}/events`).send({ type: 'note', message: 'Checked the card statement.', author: 'maria' }).expect(201);
    tickets.escalated = (await http().post(`/tickets/${tickets.escalated.id}/events`).send({ type: 'agent_reply', message: 'Refund issued.' }).expect(201)).body;
    tickets.vague = vague;
    tickets.idempotent = (await http().post('/tickets').set('Idempotency-Key', 'restart-key-1').send({ ...SEED_TRIAGE, metadata: { channel: 'phone' } }).expect(201)).body;
    for (const key of Object.keys(tickets)) tickets[key] = (await http().get(`/tickets/${tickets[key].id}`).expect(200)).body;

    // Knowledge base: a new article, a shipped one replaced, a shipped one deleted, one imported from Markdown.
    articles.created = (await http().post('/knowledge-base/articles').send(NEW_ARTICLE).expect(201)).body;
    articles.replaced = (
      await http()
        .put('/knowledge-base/articles/kb-0042')
        .set('If-Match', '"1"')
        .send({ title: 'Feature requests', body: 'Send ideas through the snozzberry form in the app.', category: 'general', tags: ['feedback'] })
        .expect(200)
    ).body;
    expect(articles.replaced.version).toBe(2);
    await http().delete('/knowledge-base/articles/kb-0044').expect(204);
    await http()
      .post('/knowledge-base/import')
      .send({ markdown: [{ content: '---\nid: restart-imported\ntitle: Imported before the restart\ncategory: general\ntags: [import]\n---\nThe frobnicated report is under Reports.' }] })
      .expect(200);
    articles.imported = (await http().get('/knowledge-base/articles/restart-imported').expect(200)).body;
    articleCount = (await http().get('/knowledge-base/articles').query({ limit: 1000 }).expect(200)).body.length;
    expect(articleCount).toBe(44 + 2 - 1);
  });

  it('close mid-work: a ticket accepted in async mode is not lost', async () => {
    const res = await http().post('/tickets').query({ mode: 'async' }).send(ASYNC_TICKET).expect(202);
    asyncTicketId = res.body.id;
    await app!.close();
    app = undefined;
  });

  it('after a restart on the same database, every ticket is there with all its events', async () => {
    app = await createTestApp(env);
    for (const key of ['seed', 'resolved', 'escalated', 'vague', 'idempotent']) {
      const before = tickets[key];
      const after = await http().get(`/tickets/${before.id}`).expect(200);
      expect(after.body).toEqual(before);
      expect(after.body.events.length).toBeGreaterThanOrEqual(3);
    }
    expect(tickets.escalated.events.map((e: { type: string }) => e.type).slice(-2)).toEqual(['note', 'agent_reply']);

    const list = await http().get('/tickets').query({ limit: 200 }).expect(200);
    const ids = list.body.tickets.map((t: { id: string }) => t.id);
    for (const key of ['seed', 'resolved', 'escalated', 'vague', 'idempotent']) expect(ids).toContain(tickets[key].id);
    expect(ids).toContain(asyncTicketId);

    // The async ticket finished before shutdown, or is recovered by the new process.
    const finished = await waitForTicket(app, asyncTicketId, (t) => !['queued', 'processing'].includes(t.status));
    expect(finished.status).toBe('resolved');
    expect(finished.resolution.resolution_notes).toContain('kb-0018');
  });

  it('a retried Idempotency-Key replays the ticket created before the restart', async () => {
    const replay = await http().post('/tickets').set('Idempotency-Key', 'restart-key-1').send({ ...SEED_TRIAGE, metadata: { channel: 'phone' } }).expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.id).toBe(tickets.idempotent.id);
  });

  it('after a restart, the articles are there as written: not re-seeded, deleted stays deleted', async () => {
    expect((await http().get(`/knowledge-base/articles/${NEW_ARTICLE.id}`).expect(200)).body).toEqual(articles.created);
    expect((await http().get('/knowledge-base/articles/kb-0042').expect(200)).body).toEqual(articles.replaced);
    expect((await http().get('/knowledge-base/articles/restart-imported').expect(200)).body).toEqual(articles.imported);
    await http().get('/knowledge-base/articles/kb-0044').expect(404);
    const list = (await http().get('/knowledge-base/articles').query({ limit: 1000 }).expect(200)).body;
    expect(list).toHaveLength(articleCount);
    expect(list.map((a: { id: string }) => a.id)).not.toContain('kb-0044');
  });

  it('after a restart, search is rebuilt from the stored articles', async () => {
    const ids = async (q: string) => (await http().get('/knowledge-base/search').query({ q, limit: 10 }).expect(200)).body.hits.map((h: { id: string }) => h.id);
    expect(await ids('blorptastic')).toEqual([NEW_ARTICLE.id]);
    expect((await ids('kiosk receipt printer'))[0]).toBe(NEW_ARTICLE.id);
    expect(await ids('snozzberry')).toEqual(['kb-0042']);
    expect(await ids('frobnicated')).toEqual(['restart-imported']);
    // The replaced text of kb-0042 and the deleted kb-0044 are gone from the index.
    expect(await ids('roadmap suggestion')).not.toContain('kb-0042');
    expect(await ids('screen reader high contrast dark mode')).not.toContain('kb-0044');
    // The shipped articles are still found.
    expect((await ids('forgot my password'))[0]).toBe('kb-0001');
  });

  it('after a restart, writes go on where they left off', async () => {
    const put = await http()
      .put(`/knowledge-base/articles/${NEW_ARTICLE.id}`)
      .set('If-Match', `"${articles.created.version}"`)
      .send({ ...NEW_ARTICLE, id: undefined, body: `${NEW_ARTICLE.body} Updated after the restart.` })
      .expect(200);
    expect(put.body.version).toBe(articles.created.version + 1);
    const ticket = await http().post('/tickets').send(LOCKED_OUT).expect(201);
    expect(ticket.body.status).toBe('resolved');
    await http().post(`/tickets/${tickets.escalated.id}/events`).send({ type: 'resolved', note: 'Email address restored.' }).expect(201);
  });

  if (db.name === 'PGlite') {
    it('PGlite: a second app on the same DATA_DIR while the first is open fails with a clear error naming DATA_DIR', async () => {
      expect(existsSync(join(env.DATA_DIR!, LOCK_FILE))).toBe(true);
      await expect(createTestApp(env)).rejects.toThrow(/DATA_DIR .* already open/);
      // The first app is unharmed.
      await http().get('/knowledge-base/articles/kb-0001').expect(200);
      await http().post('/tickets').send(SEED_TRIAGE).expect(201);
    });

    it('PGlite: the lock is released on close; a lock held by another live process refuses, one left by a dead process is taken over', async () => {
      await app!.close();
      app = undefined;
      const lockPath = join(env.DATA_DIR!, LOCK_FILE);
      expect(existsSync(lockPath)).toBe(false);

      // Another live process (our parent, the npm/jest runner) holds the directory.
      writeFileSync(lockPath, String(process.ppid));
      const refused = createTestApp(env);
      await expect(refused).rejects.toThrow(new RegExp(`DATA_DIR .* is in use by process ${process.ppid}`));
      await expect(refused).rejects.toThrow(/DATABASE_URL/); // says what to do instead
      expect(readFileSync(lockPath, 'utf8')).toBe(String(process.ppid)); // not stolen

      // A crashed process left its lock behind.
      const dead = spawnSync(process.execPath, ['-e', '']).pid;
      writeFileSync(lockPath, String(dead));
      app = await createTestApp(env);
      expect(readFileSync(lockPath, 'utf8')).toBe(String(process.pid));
      expect((await http().get(`/knowledge-base/articles/${NEW_ARTICLE.id}`).expect(200)).body.version).toBe(articles.created.version + 1);
      await app.close();
      app = undefined;
      rmSync(lockPath, { force: true });
    });
  }
});
