import type { NestExpressApplication } from '@nestjs/platform-express';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { createTestApp } from './helpers/test-app.js';

// A team's own labelled CSV (the file `npm run eval -- --train` scores) is the service's taxonomy.
const shipping = ['where is my parcel', 'my package has not arrived yet', 'tracking number shows no movement', 'delivery is late by a week', 'courier never came today'];
const returns = ['how do I send this item back', 'I want to return my order', 'the return label does not print', 'can I exchange for a bigger size', 'refund for the returned shoes'];
const rows = [...shipping, ...returns].flatMap((text, i) =>
  [0, 1, 2, 3, 4].map((v) => `"${text} (${['please', 'today', 'thanks', 'urgent', 'again'][v]})",${i < shipping.length ? 'shipping' : 'returns'},${v % 2 ? 'Low' : 'Medium'}`),
);

let dir: string;
let app: NestExpressApplication;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'taxonomy-'));
  const file = join(dir, 'labels.csv');
  writeFileSync(file, `text,category,priority\n${rows.join('\n')}\n`);
  app = await createTestApp({ TRIAGE_TAXONOMY_FILE: file });
});

afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('TRIAGE_TAXONOMY_FILE=labels.csv', () => {
  it('triages into the CSV categories', async () => {
    const res = await request(app.getHttpServer())
      .post('/run_triage/')
      .send({ inquiry_text: 'My parcel still has not arrived and tracking shows nothing', metadata: { channel: 'chat' } })
      .expect(200);
    expect(res.body.triage_result.category).toBe('shipping');
    const back = await request(app.getHttpServer()).post('/run_triage/').send({ inquiry_text: 'I would like to return the shoes I ordered', metadata: { channel: 'web' } }).expect(200);
    expect(back.body.triage_result.category).toBe('returns');
  });

  it('lists the CSV categories in the triage agent output schema', async () => {
    const res = await request(app.getHttpServer()).get('/agents').expect(200);
    const triage = (res.body as { name: string; output_schema: { properties: { category: { enum: string[] } } } }[]).find((a) => a.name === 'triage_agent')!;
    expect(triage.output_schema.properties.category.enum.sort()).toEqual(['returns', 'shipping']);
  });
});
