import { SseChannel } from './sse-channel.js';
import { HEARTBEAT_FRAME, type StreamEvent } from './stream-events.js';

const result: StreamEvent = { event: 'result', data: { ok: true } };

async function collect(frames: AsyncGenerator<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const frame of frames) out.push(frame);
  return out;
}

describe('SseChannel', () => {
  it('sends queued events in order with increasing ids, then the last event, then ends', async () => {
    const channel = new SseChannel(new Set(['triage_agent']));
    channel.emit({ event: 'agent', data: { agent: 'triage_agent' } });
    channel.emit({ event: 'text', data: { delta: 'a' } });
    const frames = await collect(channel.frames(Promise.resolve(result), 60_000));
    expect(frames).toEqual(['id: 1\nevent: agent\ndata: {"agent":"triage_agent"}\n\n', 'id: 2\nevent: text\ndata: {"delta":"a"}\n\n', 'id: 3\nevent: result\ndata: {"ok":true}\n\n']);
  });

  it('streams only the agents it was opened for', () => {
    const channel = new SseChannel(new Set(['resolution_agent']));
    expect(channel.streams('resolution_agent')).toBe(true);
    expect(channel.streams('injection_classifier')).toBe(false);
  });

  it('redacts model and tool content, but not the result (already the checked body)', async () => {
    const channel = new SseChannel(new Set(['a']), (text) => text.replaceAll('jane@example.com', '[EMAIL_1]'));
    channel.emit({ event: 'tool_call', data: { arguments: { input: 'mail jane@example.com' } } });
    channel.emit({ event: 'text', data: { delta: 'jane@example.com' } });
    const frames = (await collect(channel.frames(Promise.resolve({ event: 'result', data: { note: 'jane@example.com' } }), 60_000))).join('');
    expect(frames).toContain('"input":"mail [EMAIL_1]"');
    expect(frames).toContain('"delta":"[EMAIL_1]"');
    expect(frames).toContain('"note":"jane@example.com"');
  });

  it('sends a heartbeat comment while the run is quiet, and wakes up for the next event', async () => {
    const channel = new SseChannel(new Set(['a']));
    let finish!: (e: StreamEvent) => void;
    const frames = channel.frames(new Promise<StreamEvent>((resolve) => (finish = resolve)), 1);
    expect((await frames.next()).value).toBe(HEARTBEAT_FRAME);
    const next = frames.next();
    channel.emit({ event: 'agent', data: {} });
    expect((await next).value).toMatch(/^id: 1\nevent: agent/);
    finish(result);
    const rest: string[] = [];
    for await (const f of frames) if (f !== HEARTBEAT_FRAME) rest.push(f);
    expect(rest).toEqual(['id: 2\nevent: result\ndata: {"ok":true}\n\n']);
  });

  it('once closed (the client left) it drops events and stops, without waiting for the run', async () => {
    const channel = new SseChannel(new Set(['a']));
    const frames = channel.frames(new Promise<StreamEvent>(() => undefined), 60_000);
    const pending = frames.next();
    channel.close();
    expect((await pending).done).toBe(true);
    channel.emit({ event: 'agent', data: {} });
    expect(channel.streams('a')).toBe(false);
    expect(channel.hasEvents).toBe(false);
  });
});
