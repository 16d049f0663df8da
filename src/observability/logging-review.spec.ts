import { Writable } from 'node:stream';
import { createLogger, requestIdFrom } from './logging.js';
import { withRunContext } from './run-context.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('requestIdFrom (review): personal data is never taken as the request id', () => {
  // The request id is logged unscanned on every line of the request (and echoed in problem details):
  // a client that correlates by e-mail address or card number must not put it in the logs.
  it.each([
    ['an e-mail address', 'jane.doe@example.com'],
    ['a card number', '4111111111111111'],
    ['an API key', 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789'],
  ])('replaces %s with a new UUID', (_what, header) => {
    expect(requestIdFrom(header)).toMatch(UUID);
  });

  it('no log line of a request carries an e-mail address sent as X-Request-Id', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ level: 'info', format: 'json' }, sink);
    const id = requestIdFrom('jane.doe@example.com');
    withRunContext({ requestId: id }, () => logger.info({ request_id: id }, 'request completed'));
    expect(lines.join('')).not.toContain('jane.doe@example.com');
  });
});
