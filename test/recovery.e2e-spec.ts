import type { NestExpressApplication } from '@nestjs/platform-express';
import { eq, sql } from 'drizzle-orm';
import request from 'supertest';
import { Database } from '../src/database/database.js';
import { tickets } from '../src/database/schema.js';
import { describeEachDatabase } from './helpers/databases.js';
import { createTestApp } from './helpers/test-app.js';

const LOCKED_OUT = { inquiry_text: 'I forgot my password and now I cannot log in to my account', metadata: { channel: 'email' } };

async function settled(app: NestExpressApplication, id: string): Promise<{ status: string; attempts: number; events: { type: string }[] }> {
  for (let i = 0; ; i++) {
    const t = (await request(app.getHttpServer()).get(`/tickets/${id}`).expect(200)).body;
    if (!['queued', 'processing'].includes(t.status) || i > 100) return t;
    await new Promise((r) => setTimeout(r, 50));
  }
}

// A process that dies mid-run leaves its ticket "processing" (or "queued" if it died before
// the agents started). The state is written here as such a process leaves it; the next start
// (or, on PostgreSQL, the instance that sees the lease expire) runs the workflow again.
describeEachDatabase('recovery of interrupted workflow runs', (db) => {
  let app: NestExpressApplication | undefined;
  afterAll(async () => {
    await app?.close();
    await db.cleanup();
  });

  it('a ticket whose process died mid-run is run again at the next start; nothing is lost', async () => {
    const env = db.env();
    app = await createTestApp(env);
    const http = () => request(app!.getHttpServer());
    const crashed = (await http().post('/tickets').send(LOCKED_OUT).expect(201)).body;
    const neverStarted = (await http().post('/tickets').send(LOCKED_OUT).expect(201)).body;
    const runningElsewhere = (await http().post('/tickets').send(LOCKED_OUT).expect(201)).body;
    const { db: orm } = app.get(Database);
    // Embedded: the only process is gone, whatever its lease said. PostgreSQL: its lease ran out.
    const deadLease = db.name === 'PGlite' ? sql`now() + interval '1 hour'` : sql`now() - interval '1 second'`;
    await orm.update(tickets).set({ status: 'processing', resolution: null, leaseUntil: deadLease }).where(eq(tickets.id, crashed.id));
    // Queued a moment before the crash (embedded: recovered at once at the next start), or, on
    // PostgreSQL, queued long enough ago that no live request is about to run it.
    await orm
      .update(tickets)
      .set({ status: 'queued', resolution: null, triage: null, updatedAt: db.name === 'PGlite' ? sql`now()` : sql`now() - interval '1 minute'` })
      .where(eq(tickets.id, neverStarted.id));
    // On PostgreSQL a live lease means another instance is working on it: left alone.
    await orm.update(tickets).set({ status: 'processing', leaseUntil: sql`now() + interval '1 hour'` }).where(eq(tickets.id, runningElsewhere.id));
    await app.close();

    app = await createTestApp(env);
    const recovered = await settled(app, crashed.id);
    expect(recovered).toMatchObject({ status: 'resolved', attempts: 2 });
    expect(recovered.events.map((e) => e.type)).toEqual(['created', 'triaged', 'resolution', 'triaged', 'resolution']);
    expect(await settled(app, neverStarted.id)).toMatchObject({ status: 'resolved', attempts: 2 });
    if (db.name === 'PGlite') expect((await settled(app, runningElsewhere.id)).status).toBe('resolved');
    else expect((await request(app.getHttpServer()).get(`/tickets/${runningElsewhere.id}`).expect(200)).body.status).toBe('processing');
  });
});
