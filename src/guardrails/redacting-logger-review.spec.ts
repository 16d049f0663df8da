import { Writable } from 'node:stream';
import { createLogger } from '../observability/logging.js';
import { RedactingLogger } from './redacting-logger.js';

function capture() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = new RedactingLogger(createLogger({ level: 'info', format: 'json' }, stream as never));
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, lines };
}

describe('RedactingLogger (review): structured lines', () => {
  it('an object with a `msg` (a trace span line) is a line with that message and its fields at the top, as docs/operations.md and docs/tracing.md describe', () => {
    const { logger, lines } = capture();
    logger.log({ msg: 'agent resolution_agent error in 12 ms', span: 'agent', name: 'resolution_agent', outcome: 'error', duration_ms: 12, trace_id: 'trace_0123', ticket_id: 't-1', error: 'failed for jane.doe@example.com' }, 'Tracing');
    const [line] = lines();
    expect(line).toMatchObject({ level: 'info', context: 'Tracing', msg: 'agent resolution_agent error in 12 ms', span: 'agent', outcome: 'error', duration_ms: 12, trace_id: 'trace_0123', ticket_id: 't-1' });
    expect(JSON.stringify(line)).not.toContain('jane.doe@example.com');
  });

  it("such an object cannot overwrite the line's own fields (level, time, pid, context)", () => {
    const { logger, lines } = capture();
    logger.warn({ msg: 'odd', level: 'debug', time: 'then', pid: 1, context: 'Spoofed' }, 'Real');
    const [line] = lines();
    expect(line).toMatchObject({ level: 'warn', context: 'Real', msg: 'odd', data: { level: 'debug', time: 'then', pid: 1, context: 'Spoofed' } });
    expect(line!.pid).toBe(process.pid);
  });

  it('an object without a message still goes under `data`', () => {
    const { logger, lines } = capture();
    logger.log({ count: 3 }, 'X');
    expect(lines()[0]).toMatchObject({ context: 'X', data: { count: 3 } });
  });
});
