import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { connect as natsConnect, type NatsConnection } from '@nats-io/transport-node';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { connectMicroservice } from '../src/microservice/transport.js';
import { SEED_TRIAGE, createTestApp } from './helpers/test-app.js';

/**
 * Raw (non-Nest) NATS clients, as docs/microservices.md invites (`nats req <subject> …`): a
 * request with a reply inbox always gets a reply. Before, a payload that was not JSON, or plain
 * JSON without Nest's `{ pattern, data, id }` envelope, was dropped (logged as an error, or
 * "ignored" as an event) and the caller waited for its own timeout.
 */
const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const NATS_SKIP = process.env.TEST_NATS_SKIP;
const START_TIMEOUT = 180_000;
// Generous: a request that gets no reply fails with the client's timeout, not a Jest one.
const REQUEST_TIMEOUT = 20_000;
jest.setTimeout(120_000);

(NATS_SKIP ? describe.skip : describe)(`raw NATS requests (no Nest client)${NATS_SKIP ? ` — SKIPPED: ${NATS_SKIP}` : ''}`, () => {
  const prefix = `review-${randomUUID().slice(0, 8)}.`;
  let app: NestExpressApplication;
  let nc: NatsConnection;

  beforeAll(async () => {
    app = await createTestApp({ MICROSERVICE_TRANSPORT: 'nats', NATS_URL, NATS_SUBJECT_PREFIX: prefix });
    await connectMicroservice(app);
    nc = await natsConnect({ servers: NATS_URL });
  }, START_TIMEOUT);
  afterAll(async () => {
    await nc?.close();
    await app?.close();
  });

  const ask = async (pattern: string, payload: string | Uint8Array) =>
    (await nc.request(prefix + pattern, payload, { timeout: REQUEST_TIMEOUT })).json<Record<string, unknown>>();

  it('a payload that is not JSON → a 400 invalid-body problem, without echoing the payload', async () => {
    const reply = await ask('triage.run', 'card 4111 1111 1111 1111, mail jane.doe@example.com {');
    expect(reply).toMatchObject({ isDisposed: true, err: { status: 400, type: expect.stringContaining('invalid-body'), detail: expect.stringMatching(/JSON/) } });
    expect(JSON.stringify(reply)).not.toMatch(/4111|jane\.doe/);
  });

  it('an empty payload → 400 invalid-body', async () => {
    const reply = await ask('ticket.create', new Uint8Array());
    expect(reply).toMatchObject({ err: { status: 400, type: expect.stringContaining('invalid-body') } });
  });

  it('plain JSON without the Nest envelope is run as the request it is (reply with no id)', async () => {
    const reply = await ask('triage.run', JSON.stringify(SEED_TRIAGE));
    expect(reply).toMatchObject({ isDisposed: true, response: { triage_result: { ticket_metadata: SEED_TRIAGE.metadata } } });
  });

  it('plain JSON that fails validation → the same 400 problem naming the field', async () => {
    const reply = await ask('triage.run', JSON.stringify({ inquiry_text: 'My invoice is wrong', metadata: { channel: 'pigeon', customer_id: '1' } }));
    expect(reply).toMatchObject({ err: { status: 400, errors: [expect.objectContaining({ path: 'metadata.channel' })] } });
  });

  it('the Nest envelope still works, and the server keeps answering', async () => {
    const reply = await ask('triage.run', JSON.stringify({ pattern: 'triage.run', data: SEED_TRIAGE, id: 'env-1' }));
    expect(reply).toMatchObject({ id: 'env-1', response: { triage_result: expect.any(Object) } });
  });
});
