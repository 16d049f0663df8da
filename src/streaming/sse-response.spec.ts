import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { ProblemException, problem } from '../common/problem-details.js';
import { HEARTBEAT_FRAME, resultEvent } from './stream-events.js';
import { currentStreamSink } from './stream-sink.js';
import { streamRun } from './sse-response.js';

const body = async (res: Response) => (await res.text()).split('\n\n').filter(Boolean).map((f) => f + '\n\n');
const emit = (event: string) => currentStreamSink()!.emit({ event: event as 'agent', data: { at: event } });

describe('streamRun', () => {
  it('an error before anything was streamed is thrown (the exception filter answers with its status)', async () => {
    const down = new ProblemException(problem(503, 'model-unavailable', 'down'), { 'Retry-After': '10' });
    await expect(streamRun({ agents: ['a'], work: () => Promise.reject(down), finish: () => ({ event: resultEvent({}) }) })).rejects.toBe(down);
  });

  it('a finish that refuses the value before the stream began is thrown too (a stored 422)', async () => {
    const refused = new ProblemException(problem(422, 'guardrail', 'stopped'));
    const run = streamRun({ agents: ['a'], work: async () => 'x', finish: () => { throw refused; } });
    await expect(run).rejects.toBe(refused);
  });

  it('a run with nothing to stream is one `result` event, with the headers finish gives', async () => {
    const res = await streamRun({ agents: ['a'], work: async () => ({ ok: 1 }), finish: (v) => ({ event: resultEvent(v), headers: { 'idempotent-replayed': 'true' } }) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('idempotent-replayed')).toBe('true');
    expect(await body(res)).toEqual(['id: 1\nevent: result\ndata: {"ok":1}\n\n']);
  });

  it('an error after the stream began ends it with `event: error` (problem details)', async () => {
    const res = await streamRun({
      agents: ['a'],
      work: async () => {
        emit('agent');
        await new Promise((resolve) => setImmediate(resolve));
        throw new ProblemException(problem(503, 'model-unavailable', 'dropped mid-stream'));
      },
      finish: () => ({ event: resultEvent({}) }),
    });
    const frames = await body(res);
    expect(frames[0]).toMatch(/^id: 1\nevent: agent\n/);
    expect(frames.at(-1)).toMatch(/^id: 2\nevent: error\ndata: \{"type":"[^"]*model-unavailable","title":"Service Unavailable","status":503/);
  });

  it('an unexpected error after the stream began is a 500 problem without its message (logged instead)', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const res = await streamRun({
      agents: ['a'],
      work: async () => {
        emit('agent');
        throw new Error('secret internals');
      },
      finish: () => ({ event: resultEvent({}) }),
    });
    const text = (await body(res)).join('');
    expect(text).toContain('"status":500');
    expect(text).not.toContain('secret internals');
    expect(String(logged.mock.calls[0]?.[0])).toContain('secret internals');
    logged.mockRestore();
  });

  it('a slow run opens the stream with a heartbeat before its first event', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const res = await streamRun({
      agents: ['a'],
      heartbeatMs: 1,
      work: async () => {
        await gate;
        emit('agent');
        return { done: true };
      },
      finish: (v) => ({ event: resultEvent(v) }),
    });
    release();
    const frames = await body(res);
    expect(frames[0]).toBe(HEARTBEAT_FRAME);
    const events = frames.filter((f) => f !== HEARTBEAT_FRAME);
    expect(events).toEqual(['id: 1\nevent: agent\ndata: {"at":"agent"}\n\n', 'id: 2\nevent: result\ndata: {"done":true}\n\n']);
  });
});
