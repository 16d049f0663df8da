import { Writable } from 'node:stream';
import { createLogger } from '../observability/logging.js';
import { withRunContext } from '../observability/run-context.js';
import { RedactingLogger } from './redacting-logger.js';

/** A logger writing pino JSON lines into `lines`. */
function capture(level: 'info' | 'debug' | 'warn' = 'info', format: 'json' | 'text' = 'json') {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = new RedactingLogger(createLogger({ level, format }, stream as never));
  const text = () => chunks.join('');
  const lines = () =>
    text()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, text, lines };
}

describe('RedactingLogger (pino JSON lines)', () => {
  it('replaces personal data and secrets in messages, errors and stack traces', () => {
    const { logger, text, lines } = capture();
    logger.log('customer jane.doe@example.com paid with 4111 1111 1111 1111', 'Test');
    logger.warn('key sk_live_4eC39HqLyjWDarjtT1zdp7dc leaked');
    logger.error(new Error('failed for jane.doe@example.com'));
    logger.error('run failed', 'Error: card 4111 1111 1111 1111\n    at x (y.js:1:1)', 'Tickets');
    const out = text();
    expect(out).not.toContain('jane.doe@example.com');
    expect(out).not.toContain('4111 1111 1111 1111');
    expect(out).not.toContain('sk_live_4eC39HqLyjWDarjtT1zdp7dc');
    const [first, second, third, fourth] = lines();
    expect(first).toMatchObject({ level: 'info', context: 'Test', msg: 'customer [EMAIL_1] paid with [PAYMENT_CARD_1]' });
    expect(second).toMatchObject({ level: 'warn', msg: 'key [SECRET_1] leaked' });
    expect(third).toMatchObject({ level: 'error', msg: 'failed for [EMAIL_1]', err: { type: 'Error', message: 'failed for [EMAIL_1]' } });
    expect((third!.err as { stack: string }).stack).toContain('failed for [EMAIL_1]');
    // Nest's error(message, stack, context): the stack is a field of its own, redacted.
    expect(fourth).toMatchObject({ level: 'error', msg: 'run failed', context: 'Tickets', stack: 'Error: card [PAYMENT_CARD_1]\n    at x (y.js:1:1)' });
  });

  it('redacts objects and extra arguments, but keeps the context name', () => {
    const { logger, text, lines } = capture();
    logger.log({ customer: 'jane.doe@example.com', nested: { phone: 'call +1 415 555 0100' } }, 'Tickets');
    logger.warn('reply from', 'jane.doe@example.com', 'Tickets');
    expect(text()).not.toContain('jane.doe@example.com');
    expect(text()).not.toContain('555 0100');
    const [obj, extra] = lines();
    expect(obj).toMatchObject({ context: 'Tickets', data: { customer: '[EMAIL_1]' } });
    expect(extra).toMatchObject({ context: 'Tickets', msg: 'reply from', params: ['[EMAIL_1]'] });
  });

  it('logs objects with cycles and shared references at once (bounded), redacted', () => {
    const { logger, text } = capture();
    const o: Record<string, unknown> = { email: 'jane.doe@example.com' };
    o.self = o;
    o.other = o;
    let deep: Record<string, unknown> = { leaf: true };
    // 2^30 paths if walked naively: the walk must stop at its depth and node limits.
    for (let i = 0; i < 30; i++) deep = { a: deep, b: deep };
    logger.error(o);
    logger.log(deep);
    expect(text()).not.toContain('jane.doe@example.com');
    expect(text()).toContain('[Circular]');
    expect(text().length).toBeLessThan(100_000);
  });

  it('a secret passed where the context name goes is redacted too', () => {
    const { logger, text } = capture();
    logger.warn('message', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc');
    expect(text()).not.toContain('sk_live_4eC39HqLyjWDarjtT1zdp7dc');
  });

  it('carries the request, ticket and trace ids of the run context on every line', () => {
    const { logger, lines } = capture();
    withRunContext({ requestId: 'req-1' }, () =>
      withRunContext({ ticketId: '0f8e3c1a-2b4d-4c6e-9f01-23456789abcd', traceId: 'trace_0123456789abcdef0123456789abcdef' }, () => logger.log('triaged', 'Workflow')),
    );
    logger.log('outside');
    const [inside, outside] = lines();
    expect(inside).toMatchObject({ request_id: 'req-1', ticket_id: '0f8e3c1a-2b4d-4c6e-9f01-23456789abcd', trace_id: 'trace_0123456789abcdef0123456789abcdef' });
    expect(outside).not.toHaveProperty('request_id');
    expect(outside).not.toHaveProperty('ticket_id');
  });

  it('honours the level: debug lines are dropped at info, and Nest level lists map to pino levels', () => {
    const { logger, lines } = capture('info');
    logger.debug('hidden');
    logger.verbose('hidden too');
    logger.log('shown');
    expect(lines().map((l) => l.msg)).toEqual(['shown']);
    logger.setLogLevels(['error', 'warn']);
    logger.log('now hidden');
    logger.warn('still shown');
    expect(lines().map((l) => l.msg)).toEqual(['shown', 'still shown']);
  });

  it("Nest's start-up chatter (a line per module and route) is debug, the service's own lines info", () => {
    const { logger, lines } = capture('info');
    logger.log('AppModule dependencies initialized', 'InstanceLoader');
    logger.log('Mapped {/tickets, POST} route', 'RouterExplorer');
    logger.log('support-agents listening on http://0.0.0.0:3000', 'Bootstrap');
    expect(lines().map((l) => l.context)).toEqual(['Bootstrap']);
  });

  it('LOG_FORMAT=text writes one readable, redacted line per event', () => {
    const { logger, text } = capture('info', 'text');
    logger.log('mail from jane.doe@example.com', 'Tickets');
    const out = text();
    expect(out.trim().split('\n')).toHaveLength(1);
    expect(out).toMatch(/INFO.*\[Tickets\] mail from \[EMAIL_1\]/);
    expect(out).not.toContain('{"level"');
  });
});
