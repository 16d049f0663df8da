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

  // PGlite locks its data directory to one process, so only PostgreSQL can share a schema.
  (database.name === 'PostgreSQL' ? it : it.skip)('a check that outlasted its lease stops when another instance has taken the check over, instead of acting alongside it', async () => {
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
  });
});
