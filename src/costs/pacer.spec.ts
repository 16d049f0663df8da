import { jest } from '@jest/globals';
import type { Model, ModelRequest, ModelResponse, StreamEvent } from '@openai/agents-core';
import { ProblemException } from '../common/problem-details.js';
import { PacedModel } from './paced-model.js';
import { DEFAULT_PAUSE_MS, MAX_PAUSE_MS, Pacer, retryAfterMs } from './pacer.js';

/** A turn request whose state the test can read: granted (with its release) or refused. */
function request(pacer: Pacer) {
  const state: { release?: () => void; error?: unknown } = {};
  pacer.acquire().then(
    (release) => (state.release = release),
    (error: unknown) => (state.error = error),
  );
  return state;
}

const settle = () => jest.advanceTimersByTimeAsync(0);

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('Pacer: concurrency', () => {
  it('lets MODEL_MAX_CONCURRENCY calls run at once; the next starts when one ends, in order', async () => {
    const pacer = new Pacer({ maxConcurrency: 2, requestsPerMinute: 0, maxWaitMs: 60_000 });
    const calls = [request(pacer), request(pacer), request(pacer), request(pacer)];
    await settle();
    expect(calls.map((c) => !!c.release)).toEqual([true, true, false, false]);
    expect(pacer.load).toEqual({ running: 2, waiting: 2 });
    calls[1]!.release!();
    await settle();
    expect(calls.map((c) => !!c.release)).toEqual([true, true, true, false]);
    // Releasing twice gives back one turn only.
    calls[1]!.release!();
    await settle();
    expect(calls[3]!.release).toBeUndefined();
    calls[0]!.release!();
    await settle();
    expect(calls[3]!.release).toBeDefined();
  });

  it('a call that waits longer than the limit fails with 503 model-busy and a Retry-After, and gives up its place', async () => {
    const pacer = new Pacer({ maxConcurrency: 1, requestsPerMinute: 0, maxWaitMs: 5_000 });
    const first = request(pacer);
    const second = request(pacer);
    await jest.advanceTimersByTimeAsync(4_999);
    expect(second.error).toBeUndefined();
    await jest.advanceTimersByTimeAsync(1);
    expect(second.error).toBeInstanceOf(ProblemException);
    const busy = second.error as ProblemException;
    expect(busy.problem).toMatchObject({ status: 503, type: expect.stringMatching(/model-busy$/) });
    expect(Number(busy.headers['Retry-After'])).toBeGreaterThanOrEqual(1);
    // The refused call does not take the turn later.
    const third = request(pacer);
    first.release!();
    await settle();
    expect(third.release).toBeDefined();
    expect(pacer.load).toEqual({ running: 1, waiting: 0 });
  });

  it('records every wait through onWait', async () => {
    const waits: number[] = [];
    const pacer = new Pacer({ maxConcurrency: 1, requestsPerMinute: 0, maxWaitMs: 60_000, onWait: (s) => waits.push(s) });
    const first = request(pacer);
    request(pacer);
    await settle();
    await jest.advanceTimersByTimeAsync(3_000);
    first.release!();
    await settle();
    expect(waits).toEqual([0, 3]);
  });
});

describe('Pacer: requests per minute', () => {
  it('spaces starts evenly (60 / minute: one a second), even with free concurrency', async () => {
    const pacer = new Pacer({ maxConcurrency: 10, requestsPerMinute: 60, maxWaitMs: 60_000 });
    const calls = [request(pacer), request(pacer), request(pacer)];
    await settle();
    expect(calls.map((c) => !!c.release)).toEqual([true, false, false]);
    await jest.advanceTimersByTimeAsync(999);
    expect(calls[1]!.release).toBeUndefined();
    await jest.advanceTimersByTimeAsync(1);
    expect(calls.map((c) => !!c.release)).toEqual([true, true, false]);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(calls.map((c) => !!c.release)).toEqual([true, true, true]);
  });

  it('counts starts, not running calls: a finished call does not free a start early', async () => {
    const pacer = new Pacer({ maxConcurrency: 10, requestsPerMinute: 2, maxWaitMs: 120_000 });
    const first = request(pacer);
    await settle();
    first.release!();
    const second = request(pacer);
    await jest.advanceTimersByTimeAsync(29_999);
    expect(second.release).toBeUndefined();
    await jest.advanceTimersByTimeAsync(1);
    expect(second.release).toBeDefined();
  });

  it('a call whose turn is further away than the limit is refused with a Retry-After covering the queue', async () => {
    const pacer = new Pacer({ maxConcurrency: 10, requestsPerMinute: 6, maxWaitMs: 5_000 });
    request(pacer);
    const late = request(pacer);
    await jest.advanceTimersByTimeAsync(5_000);
    const busy = late.error as ProblemException;
    expect(busy.problem.status).toBe(503);
    // Starts are 10 s apart: the estimate is at least one spacing.
    expect(Number(busy.headers['Retry-After'])).toBeGreaterThanOrEqual(10);
  });
});

describe('Pacer: Retry-After pause', () => {
  it('after a 429 no new call starts until the pause ends; running calls are not touched', async () => {
    const pacer = new Pacer({ maxConcurrency: 5, requestsPerMinute: 0, maxWaitMs: 60_000 });
    const running = request(pacer);
    await settle();
    pacer.pauseFor(5_000);
    expect(pacer.paused).toBe(true);
    const next = request(pacer);
    await jest.advanceTimersByTimeAsync(4_999);
    expect(next.release).toBeUndefined();
    running.release!();
    await jest.advanceTimersByTimeAsync(1);
    expect(next.release).toBeDefined();
    expect(pacer.paused).toBe(false);
  });

  it('a shorter second pause does not cut a longer one short; pauses are capped at a minute', async () => {
    const pacer = new Pacer({ maxConcurrency: 5, requestsPerMinute: 0, maxWaitMs: 600_000 });
    pacer.pauseFor(10_000);
    pacer.pauseFor(1_000);
    const next = request(pacer);
    await jest.advanceTimersByTimeAsync(9_999);
    expect(next.release).toBeUndefined();
    await jest.advanceTimersByTimeAsync(1);
    expect(next.release).toBeDefined();

    pacer.pauseFor(3_600_000);
    const after = request(pacer);
    await jest.advanceTimersByTimeAsync(MAX_PAUSE_MS);
    expect(after.release).toBeDefined();
  });
});

describe('retryAfterMs', () => {
  const headers = (h: Record<string, string>) => new Headers(h);

  it('reads retry-after-ms, then retry-after as seconds or an HTTP date', () => {
    expect(retryAfterMs(headers({ 'retry-after-ms': '1500', 'retry-after': '9' }))).toBe(1500);
    expect(retryAfterMs(headers({ 'retry-after': '2' }))).toBe(2000);
    const now = Date.parse('2026-11-26T10:00:00Z');
    expect(retryAfterMs(headers({ 'retry-after': 'Thu, 26 Nov 2026 10:00:07 GMT' }), now)).toBe(7000);
    expect(retryAfterMs(headers({ 'retry-after': 'Thu, 26 Nov 2026 09:00:00 GMT' }), now)).toBe(0);
  });

  it('absent or unreadable: undefined (the pacer then pauses the default)', () => {
    expect(retryAfterMs(headers({}))).toBeUndefined();
    expect(retryAfterMs(headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(retryAfterMs(headers({ 'retry-after-ms': 'x' }))).toBeUndefined();
    expect(DEFAULT_PAUSE_MS).toBeGreaterThan(0);
  });
});

describe('PacedModel', () => {
  const usage = { requests: 1, inputTokens: 10, outputTokens: 5, totalTokens: 15 };
  const response = { usage, output: [] } as unknown as ModelResponse;

  function fakeModel(stream: () => AsyncIterable<StreamEvent>): Model {
    return { getResponse: () => Promise.resolve(response), getStreamedResponse: stream };
  }

  it('a plain call takes a turn, reports its usage under the requested model name, and gives the turn back', async () => {
    jest.useRealTimers();
    const pacer = new Pacer({ maxConcurrency: 1, requestsPerMinute: 0, maxWaitMs: 60_000 });
    const seen: [string, number][] = [];
    const model = new PacedModel(fakeModel(async function* () {}), 'gpt-4.1-mini', pacer, (m, u) => seen.push([m, u.totalTokens]));
    await model.getResponse({} as ModelRequest);
    expect(seen).toEqual([['gpt-4.1-mini', 15]]);
    expect(pacer.load).toEqual({ running: 0, waiting: 0 });
  });

  it('a streamed call holds its turn until the stream ends (or the reader stops early)', async () => {
    jest.useRealTimers();
    const pacer = new Pacer({ maxConcurrency: 1, requestsPerMinute: 0, maxWaitMs: 60_000 });
    const seen: number[] = [];
    const events = [{ type: 'output_text_delta', delta: 'Hi' }, { type: 'response_done', response: { id: 'r', usage } }] as unknown as StreamEvent[];
    const model = new PacedModel(
      fakeModel(async function* () {
        yield* events;
      }),
      'm',
      pacer,
      (_m, u) => seen.push(u.totalTokens),
    );
    const stream = model.getStreamedResponse({} as ModelRequest)[Symbol.asyncIterator]();
    await stream.next();
    expect(pacer.load.running).toBe(1);
    await stream.next();
    expect(seen).toEqual([15]);
    expect((await stream.next()).done).toBe(true);
    expect(pacer.load.running).toBe(0);

    const early = model.getStreamedResponse({} as ModelRequest)[Symbol.asyncIterator]();
    await early.next();
    expect(pacer.load.running).toBe(1);
    await early.return!(undefined);
    expect(pacer.load.running).toBe(0);
  });
});
