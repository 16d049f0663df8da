import { ProblemException, problem } from '../common/problem-details.js';
import { HEARTBEAT_FRAME } from './stream-events.js';
import { SseChannel } from './sse-channel.js';
import { streamRun } from './sse-response.js';

/** The frames of an SSE body without the keep-alive comments. */
const events = async (res: Response) =>
  (await res.text())
    .split('\n\n')
    .filter(Boolean)
    .map((f) => f + '\n\n')
    .filter((f) => f !== HEARTBEAT_FRAME);

describe('streamRun (review)', () => {
  it('a finish that refuses the value after the stream opened (a slow guardrail check, then a stored 422) ends the stream with event: error', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const refused = new ProblemException(problem(422, 'guardrail', 'The text was stopped by the prompt_injection guardrail.'));
      // heartbeatMs 1: the stream opens (with a heartbeat) before the work ends.
      const res = await streamRun({
        agents: ['a'],
        heartbeatMs: 1,
        work: async () => {
          await gate;
          return { status: 422 };
        },
        finish: () => {
          throw refused;
        },
      });
      release();
      const frames = await events(res);
      expect(frames).toHaveLength(1);
      expect(frames[0]).toMatch(/^id: 1\nevent: error\ndata: \{"type":"[^"]*guardrail","title":"Unprocessable (Content|Entity)","status":422/);
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('SseChannel (review)', () => {
  it('a last event that rejects still ends the stream, with an error event', async () => {
    const channel = new SseChannel(new Set(['a']));
    const frames: string[] = [];
    for await (const f of channel.frames(Promise.reject(new Error('boom')), 60_000)) frames.push(f);
    expect(frames).toHaveLength(1);
    expect(frames[0]).toMatch(/^id: 1\nevent: error\ndata: \{"type":"[^"]*internal-error","title":"Internal Server Error","status":500/);
  });
});
