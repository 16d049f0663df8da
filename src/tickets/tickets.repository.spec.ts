import 'reflect-metadata';
import { sql } from 'drizzle-orm';
import { describeEachDatabase } from '../../test/helpers/databases.js';
import { Database } from '../database/database.js';
import { tickets } from '../database/schema.js';
import { TicketsRepository } from './tickets.repository.js';

describeEachDatabase('TicketsRepository', (testDb) => {
  let database: Database;
  let repo: TicketsRepository;
  let n = 0;
  const newTicket = async (channel = 'email') => {
    const id = `t-${++n}`;
    await repo.transaction((tx) =>
      repo.insert(tx, { id, inquiryText: 'help me', metadata: { channel }, redaction: 1 }, { type: 'created', actor: 'customer', data: { status: 'queued' } }),
    );
    return id;
  };

  beforeAll(async () => {
    database = await testDb.open();
    repo = new TicketsRepository(database);
  }, 30_000);
  afterAll(async () => {
    await database?.close();
    await testDb.cleanup();
  });

  it('stores a ticket with its first event, and each update with the event that explains it', async () => {
    const id = await newTicket('chat');
    await repo.update(id, { status: 'escalated', category: 'billing' }, { type: 'resolution', actor: 'resolution_agent', data: { status: 'escalated' } });
    expect(await repo.get(id)).toMatchObject({ status: 'escalated', channel: 'chat', category: 'billing', attempts: 0 });
    expect((await repo.events(id)).map((e) => [e.type, e.actor])).toEqual([
      ['created', 'customer'],
      ['resolution', 'resolution_agent'],
    ]);
  });

  it('one claim wins when several processes race for a ticket', async () => {
    const id = await newTicket();
    const claims = await Promise.all(Array.from({ length: 6 }, () => repo.claim(id, ['queued'], 60)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await repo.get(id)).toMatchObject({ status: 'processing', attempts: 1 });
  });

  it('a run whose lease expired (its process died) is taken over and listed as abandoned', async () => {
    const id = await newTicket();
    await repo.claim(id, ['queued'], 60);
    expect(await repo.claim(id, ['queued'], 60)).toBeUndefined();
    expect(await repo.abandoned()).not.toContain(id);
    expect(await repo.abandoned(await repo.maxSeq())).toContain(id);
    await database.db.update(tickets).set({ leaseUntil: sql`now() - interval '1 second'` }).where(sql`${tickets.id} = ${id}`);
    expect(await repo.abandoned()).toContain(id);
    expect(await repo.claim(id, ['queued'], 60)).toMatchObject({ status: 'processing', attempts: 2 });
  });

  it('a run that outlived its lease cannot write over the run that took the ticket over', async () => {
    const id = await newTicket();
    const first = await repo.claim(id, ['queued'], 60);
    await database.db.update(tickets).set({ leaseUntil: sql`now() - interval '1 second'` }).where(sql`${tickets.id} = ${id}`);
    const second = await repo.claim(id, ['queued'], 60);
    expect([first?.attempts, second?.attempts]).toEqual([1, 2]);
    const stale = await repo.updateRun(id, 1, { status: 'resolved' }, { type: 'resolution', actor: 'resolution_agent', data: { status: 'resolved' } }, 60);
    expect(stale).toBeUndefined();
    const current = await repo.updateRun(id, 2, { status: 'escalated', leaseUntil: null }, { type: 'resolution', actor: 'resolution_agent', data: { status: 'escalated' } }, 60);
    expect(current).toMatchObject({ requeued: false, row: { status: 'escalated', attempts: 2 } });
    expect((await repo.events(id)).map((e) => e.data.status)).toEqual(['queued', 'escalated']);
  });

  it("the run's last write sends the ticket round again when the customer wrote meanwhile", async () => {
    const id = await newTicket();
    const run = await repo.claim(id, ['queued'], 60);
    const [read] = (await repo.events(id)).slice(-1);
    await repo.addEvent(database.db, id, { type: 'customer_reply', actor: 'customer', data: { message: 'more detail', status: 'processing' } });
    const written = await repo.updateRun(id, run!.attempts, { status: 'resolved' }, { type: 'resolution', actor: 'resolution_agent', data: { status: 'resolved' } }, 60, read!.id);
    expect(written).toMatchObject({ requeued: true, row: { status: 'queued', leaseUntil: null } });
    expect((await repo.events(id)).at(-1)?.data).toMatchObject({ status: 'queued', superseded_by_reply: true });
    // With nothing new since the last event it read, the outcome stands.
    const again = await repo.claim(id, ['queued'], 60);
    const [last] = (await repo.events(id)).slice(-1);
    expect(await repo.updateRun(id, again!.attempts, { status: 'resolved' }, { type: 'resolution', actor: 'resolution_agent', data: { status: 'resolved' } }, 60, last!.id)).toMatchObject({
      requeued: false,
      row: { status: 'resolved' },
    });
  });

  it('a queued ticket counts as abandoned only after 30 s without change, unless this is the only process and it predates the start', async () => {
    const id = await newTicket();
    const bootSeq = await repo.maxSeq();
    const later = await newTicket();
    expect(await repo.abandoned()).not.toContain(id);
    expect(await repo.abandoned(bootSeq)).toContain(id);
    expect(await repo.abandoned(bootSeq)).not.toContain(later);
    await database.db.update(tickets).set({ updatedAt: sql`now() - interval '31 seconds'` }).where(sql`${tickets.id} = ${id}`);
    expect(await repo.abandoned()).toContain(id);
  });

  it('a retry takes a queued ticket only once it is stale, and records the attempt it started', async () => {
    const id = await newTicket();
    const retry = { event: { type: 'retry', actor: 'system', data: {} }, staleQueuedOnly: true };
    expect(await repo.claim(id, ['failed', 'queued'], 60, retry)).toBeUndefined();
    await database.db.update(tickets).set({ updatedAt: sql`now() - interval '31 seconds'` }).where(sql`${tickets.id} = ${id}`);
    expect(await repo.claim(id, ['failed', 'queued'], 60, retry)).toMatchObject({ status: 'processing', attempts: 1 });
    expect((await repo.events(id)).at(-1)).toMatchObject({ type: 'retry', data: { attempt: 1 } });
  });

  it('lists newest first, filtered, a page after a cursor', async () => {
    const ids = [await newTicket('phone'), await newTicket('phone'), await newTicket('phone')];
    const page = await repo.list({ channel: 'phone', limit: 2 });
    expect(page.map((t) => t.id)).toEqual([ids[2], ids[1]]);
    const rest = await repo.list({ channel: 'phone', limit: 2, before_seq: page[1]!.seq });
    expect(rest.map((t) => t.id)).toEqual([ids[0]]);
    expect(await repo.list({ channel: 'phone', status: ['resolved'], limit: 10 })).toEqual([]);
  });
});
