import { jest } from '@jest/globals';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { Database } from '../src/database/database.js';
import { HandoffService } from '../src/handoff/handoff.service.js';
import { SlaCheckService } from '../src/sla/sla-check.service.js';
import { SlaRepository } from '../src/sla/sla.repository.js';
import { describeEachDatabase } from './helpers/databases.js';
import { createTestApp } from './helpers/test-app.js';

// Review cases for the SLA checks and policies (docs/sla.md, "Policies", "Scheduled checks").
const HACKED = { inquiry_text: 'I think someone hacked my account and changed my email', metadata: { channel: 'email', customer_id: 'c-r1' } };
const MIN = 60_000;
const POLICIES = { policies: [{ id: 'all', targets: { first_reply_time: '4h', resolution_time: '24h' } }] };

/** Holds the next check at its first page of tickets until released (the spy then goes away). */
function hold(repository: SlaRepository) {
  let release!: () => void;
  let reached!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const reachedP = new Promise<void>((r) => (reached = r));
  const original = repository.tickets.bind(repository);
  const spy = jest.spyOn(repository, 'tickets').mockImplementation(async function* (...args: Parameters<SlaRepository['tickets']>) {
    spy.mockRestore();
    reached();
    await released;
    yield* original(...args);
  });
  return { reached: reachedP, release };
}

describeEachDatabase('SLA review: policies and checks', (database) => {
  let app: NestExpressApplication;
  let env: Record<string, string>;
  const http = () => request(app.getHttpServer());
  const exec = (q: string) => app.get(Database).db.execute(q);

  beforeAll(async () => {
    env = await database.env();
    app = await createTestApp(env);
  });
  afterAll(async () => {
    await app.get(HandoffService).idle();
    await app.close();
    await database.cleanup();
  });

  it('the first PUTs of a policy set at the same moment: one wins, the others are refused (412) or applied after it — never a 500', async () => {
    for (let round = 0; round < 8; round++) {
      await exec(`delete from sla_policy_sets`);
      // With If-Match "0" (the version read before any set was stored): exactly one may win.
      const matched = await Promise.all([0, 1, 2, 3].map(() => http().put('/monitoring/policies').set('If-Match', '"0"').send(POLICIES)));
      expect(matched.map((r) => r.status).sort()).toEqual([200, 412, 412, 412]);
      await exec(`delete from sla_policy_sets`);
      // Without If-Match every PUT applies, one after the other.
      const blind = await Promise.all([0, 1, 2].map(() => http().put('/monitoring/policies').send(POLICIES)));
      expect(blind.map((r) => r.status)).toEqual([200, 200, 200]);
      expect(blind.map((r) => r.body.version as number).sort()).toEqual([1, 2, 3]);
    }
  });

  it('a policy set of many megabytes (each list within its limit) is refused: every SLA read would load and validate it', async () => {
    const holidays = Array.from({ length: 2000 }, (_, i) => ({ date: new Date(Date.UTC(2026, 0, 1) + i * 86_400_000).toISOString().slice(0, 10), name: 'h'.repeat(150) }));
    const calendars = Array.from({ length: 10 }, (_, i) => ({ id: `c${i}`, time_zone: 'Europe/Berlin', hours: { mon: [{ start: '09:00', end: '17:00' }] }, holidays }));
    const huge = { calendars, policies: [{ id: 'all', business_hours: 'c0', targets: { first_reply_time: '4h' } }] };
    const res = await http().put('/monitoring/policies').send(huge).expect(400);
    expect(res.body.errors).toEqual([{ path: '(body)', message: expect.stringContaining('at most 1000000') }]);
    // A real set with a calendar, holidays and several policies is far below it.
    await http().put('/monitoring/policies').send({ calendars: [{ ...calendars[0], holidays: holidays.slice(0, 30) }], policies: [{ id: 'all', business_hours: 'c0', targets: { first_reply_time: '4h' } }] }).expect(200);
    await http().put('/monitoring/policies').send(POLICIES).expect(200);
  });

  it('two checks asked for at once in one instance: one runs, the other is refused (409), as across instances', async () => {
    await http().post('/tickets').send(HACKED).expect(201);
    const checks = app.get(SlaCheckService);
    const [a, b] = await Promise.all([checks.check(), checks.check()]);
    expect([a, b].filter((r) => 'skipped' in r)).toHaveLength(1);
    // A check running here (scheduled, or another request's; held at its first page) and a POST
    // meanwhile: 409, not a second check.
    const gate = hold(app.get(SlaRepository));
    const running = checks.check();
    await gate.reached;
    const refused = await http().post('/monitoring/checks').expect(409);
    expect(refused.body.detail).toContain('no check was run');
    gate.release();
    expect('skipped' in (await running)).toBe(false);
    // Afterwards the lease is free again.
    await http().post('/monitoring/checks').expect(200);
  });

  it('raise_priority goes Low → Medium → High when each priority\'s policy has its own action (each policy\'s action once per cycle)', async () => {
    const before = (await http().get('/monitoring/policies').expect(200)).body;
    await http()
      .put('/monitoring/policies')
      .send({
        policies: [
          { id: 'low', match: { priority: ['Low'] }, targets: { resolution_time: '24h' }, actions: [{ metric: 'resolution_time', before: '23h', action: 'raise_priority' }] },
          { id: 'medium', match: { priority: ['Medium'] }, targets: { resolution_time: '24h' }, actions: [{ metric: 'resolution_time', before: '22h', action: 'raise_priority' }] },
          { id: 'high', match: { priority: ['High'] }, targets: { resolution_time: '24h' } },
        ],
      })
      .expect(200);
    try {
      const id: string = (await http().post('/tickets').send({ ...HACKED, metadata: { channel: 'email', customer_id: 'c-r2' } }).expect(201)).body.id;
      await exec(`update tickets set priority = 'Low' where id = '${id}'`);
      const created = Date.parse((await http().get(`/tickets/${id}`).expect(200)).body.created_at);
      const checks = app.get(SlaCheckService);
      const priority = async () => (await http().get(`/tickets/${id}/sla`).expect(200)).body.priority as string;

      await checks.check(new Date(created + 30 * MIN)); // 23.5 h left: nothing yet
      expect(await priority()).toBe('Low');
      await checks.check(new Date(created + 61 * MIN)); // < 23 h left under "low": Low → Medium
      expect(await priority()).toBe('Medium');
      await checks.check(new Date(created + 62 * MIN)); // 22.97 h left under "medium" (> 22 h): stays
      expect(await priority()).toBe('Medium');
      await checks.check(new Date(created + 121 * MIN)); // < 22 h left under "medium": Medium → High
      expect(await priority()).toBe('High');
      await checks.check(new Date(created + 180 * MIN)); // High stays
      const raised = (await http().get(`/tickets/${id}`).expect(200)).body.events.filter((e: { type: string }) => e.type === 'sla_priority_raised');
      expect(raised.map((e: { data: { from: string; to: string; policy: string } }) => [e.data.from, e.data.to, e.data.policy])).toEqual([
        ['Low', 'Medium', 'low'],
        ['Medium', 'High', 'medium'],
      ]);

      // One policy for every priority: its action runs once per cycle (Low → Medium, no further).
      await http()
        .put('/monitoring/policies')
        .send({ policies: [{ id: 'one', targets: { resolution_time: '24h' }, actions: [{ metric: 'resolution_time', before: '23h', action: 'raise_priority' }] }] })
        .expect(200);
      const single: string = (await http().post('/tickets').send({ ...HACKED, metadata: { channel: 'email', customer_id: 'c-r3' } }).expect(201)).body.id;
      await exec(`update tickets set priority = 'Low' where id = '${single}'`);
      const singleCreated = Date.parse((await http().get(`/tickets/${single}`).expect(200)).body.created_at);
      for (const m of [61, 62, 120]) await checks.check(new Date(singleCreated + m * MIN));
      expect((await http().get(`/tickets/${single}/sla`).expect(200)).body.priority).toBe('Medium');
    } finally {
      await http().put('/monitoring/policies').send({ calendars: before.calendars, policies: before.policies }).expect(200);
    }
  });

  // PGlite locks its data directory to one process, so only PostgreSQL can share a schema.
  // PGlite locks its data directory to one process, so only PostgreSQL can share a schema.
  (database.name === 'PostgreSQL' ? it : it.skip)(
    database.name === 'PostgreSQL'
      ? 'a check that outlasted its lease stops when another instance has taken the check over, instead of acting alongside it'
      : 'a check that outlasted its lease, two instances — SKIPPED on PGlite: one process per data directory by design',
    async () => {
    const other = await createTestApp(env);
    try {
      const gateA = hold(app.get(SlaRepository));
      const a = app.get(SlaCheckService).check();
      await gateA.reached;
      // A stalls past its lease (a long GC pause, a slow page): the lease runs out and B takes the check.
      await exec(`update job_leases set lease_until = now() - interval '1 second' where name = 'sla-check'`);
      const gateB = hold(other.get(SlaRepository));
      const b = other.get(SlaCheckService).check();
      await gateB.reached;
      gateA.release();
      expect(await a).toEqual({ skipped: expect.stringContaining('outlasted its lease') });
      gateB.release();
      expect('skipped' in (await b)).toBe(false);
      // B released the lease: the next check (either instance) runs.
      expect('skipped' in (await app.get(SlaCheckService).check())).toBe(false);
    } finally {
      await other.get(HandoffService).idle();
      await other.close();
    }
    },
  );
});
