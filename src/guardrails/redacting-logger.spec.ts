import { jest } from '@jest/globals';
import { RedactingLogger } from './redacting-logger.js';

describe('RedactingLogger', () => {
  let written: string[];
  let spy: jest.SpiedFunction<typeof process.stdout.write>;
  let errSpy: jest.SpiedFunction<typeof process.stderr.write>;
  beforeEach(() => {
    written = [];
    const capture = ((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    spy = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
    errSpy = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  });
  afterEach(() => {
    spy.mockRestore();
    errSpy.mockRestore();
  });

  it('replaces personal data and secrets in messages, errors and stack traces', () => {
    const logger = new RedactingLogger('Test');
    logger.log('customer jane.doe@example.com paid with 4111 1111 1111 1111');
    logger.warn('key sk_live_4eC39HqLyjWDarjtT1zdp7dc leaked');
    logger.error(new Error('failed for jane.doe@example.com'));
    logger.error('run failed', 'Error: card 4111 1111 1111 1111\n    at x (y.js:1:1)');
    const out = written.join('');
    expect(out).not.toContain('jane.doe@example.com');
    expect(out).not.toContain('4111 1111 1111 1111');
    expect(out).not.toContain('sk_live_4eC39HqLyjWDarjtT1zdp7dc');
    expect(out).toContain('[EMAIL_1]');
    expect(out).toContain('[PAYMENT_CARD_1]');
    expect(out).toContain('[SECRET_1]');
  });

  it('redacts objects and extra arguments, but keeps the context name', () => {
    const logger = new RedactingLogger();
    logger.log({ customer: 'jane.doe@example.com' }, 'Tickets');
    logger.warn('reply from', 'jane.doe@example.com', 'Tickets');
    const out = written.join('');
    expect(out).not.toContain('jane.doe@example.com');
    expect(out).toContain('[Tickets]');
  });

  it('logs objects with cycles and shared references at once (depth-limited), redacted', () => {
    const logger = new RedactingLogger('Test');
    const o: Record<string, unknown> = { email: 'jane.doe@example.com' };
    o.self = o;
    o.other = o;
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 30; i++) deep = { a: deep, b: deep };
    logger.error(o);
    logger.log(deep);
    const out = written.join('');
    expect(out).not.toContain('jane.doe@example.com');
    expect(out).toContain('[Circular');
  });

  it('a secret passed where the context name goes is redacted too', () => {
    new RedactingLogger().warn('message', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc');
    expect(written.join('')).not.toContain('sk_live_4eC39HqLyjWDarjtT1zdp7dc');
  });
});
