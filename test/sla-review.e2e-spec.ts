import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { Database } from '../src/database/database.js';
import { HandoffService } from '../src/handoff/handoff.service.js';
import { describeEachDatabase } from './helpers/databases.js';
import { createTestApp } from './helpers/test-app.js';

// Review cases for the SLA checks and policies (docs/sla.md, "Policies", "Scheduled checks").
const POLICIES = { policies: [{ id: 'all', targets: { first_reply_time: '4h', resolution_time: '24h' } }] };

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
});
