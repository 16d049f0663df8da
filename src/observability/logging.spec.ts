import { loggableUrl, redactLogFields, requestIdFrom, toLoggable } from './logging.js';
import { requestLogLevel } from './logging.middleware.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('requestIdFrom (X-Request-Id)', () => {
  it.each(['3f2a9b8c-7d6e-4f5a-9b8c-7d6e5f4a3b2c', '01HZY3K6QW8JX0V5T9N2M4P7RB', 'Root=1-5759e988-bd862e3fe1be46a994272793', 'abc.DEF_123:x+y/z=='])('keeps a sane id: %s', (id) => {
    expect(requestIdFrom(id)).toBe(id);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['too long', 'a'.repeat(129)],
    ['spaces', 'a b'],
    ['a newline (log / header injection)', 'abc\r\nSet-Cookie: x=1'],
    ['quotes and angle brackets', '"><script>'],
    ['non-ASCII', 'réquest'],
    ['a repeated header (array)', ['a', 'b']],
  ])('replaces %s with a new UUID', (_what, header) => {
    expect(requestIdFrom(header as string | string[] | undefined)).toMatch(UUID);
  });

  it('generates a different id per request', () => {
    expect(requestIdFrom(undefined)).not.toBe(requestIdFrom(undefined));
  });
});

describe('loggableUrl', () => {
  it('keeps ordinary paths and queries as they are', () => {
    expect(loggableUrl('/tickets/0f8e3c1a-2b4d-4c6e-9f01-23456789abcd?status=escalated&limit=20')).toBe('/tickets/0f8e3c1a-2b4d-4c6e-9f01-23456789abcd?status=escalated&limit=20');
  });

  it('replaces credentials in the query whatever they look like', () => {
    expect(loggableUrl('/metrics?api_key=abc&token=t0k3n&access_token=x&limit=5')).toBe('/metrics?api_key=[REDACTED]&token=[REDACTED]&access_token=[REDACTED]&limit=5');
  });

  it('redacts personal data in the path and the query, percent-encoded too', () => {
    const out = loggableUrl('/customers/jane.doe@example.com/tickets?q=jane.doe%40example.com&card=4111%201111%201111%201111');
    expect(out).not.toContain('jane.doe');
    expect(out).not.toContain('4111');
    expect(out).toBe('/customers/[EMAIL_1]/tickets?q=[EMAIL_1]&card=[PAYMENT_CARD_1]');
  });

  it('survives malformed escapes and caps the length', () => {
    expect(loggableUrl('/x?%E0%A4%A=1&y=%')).toBe('/x?%E0%A4%A=1&y=%');
    const long = loggableUrl(`/x?q=${'a'.repeat(10_000)}`);
    expect(long.length).toBeLessThanOrEqual(2_049);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('redactLogFields / toLoggable', () => {
  it('redacts every string field, nested ones too, but leaves the ids we generate alone', () => {
    const out = redactLogFields({
      request_id: 'req-1',
      ticket_id: '0f8e3c1a-2b4d-4c6e-9f01-23456789abcd',
      data: { customer: 'jane.doe@example.com', list: ['sk_live_4eC39HqLyjWDarjtT1zdp7dc'] },
    });
    expect(out).toEqual({ request_id: 'req-1', ticket_id: '0f8e3c1a-2b4d-4c6e-9f01-23456789abcd', data: { customer: '[EMAIL_1]', list: ['[SECRET_1]'] } });
  });

  it('turns errors, dates, buffers and bigints into JSON, drops functions, marks cycles', () => {
    const err = Object.assign(new Error('boom for jane.doe@example.com'), { code: 'E_X' });
    const cyclic: Record<string, unknown> = { n: 1n, at: new Date('2026-01-02T03:04:05Z'), buf: Buffer.from('abc'), fn: () => 1 };
    cyclic.self = cyclic;
    expect(toLoggable(cyclic)).toEqual({ n: '1', at: '2026-01-02T03:04:05.000Z', buf: '[binary, 3 bytes]', self: '[Circular]' });
    const e = redactLogFields({ err }).err as Record<string, unknown>;
    expect(e).toMatchObject({ type: 'Error', message: 'boom for [EMAIL_1]', code: 'E_X' });
  });

  it('a "__proto__" key stays a plain field', () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": true}}') as object;
    const out = redactLogFields({ data: hostile }) as { data: Record<string, unknown> };
    expect(Object.keys(out.data)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('cuts very long strings and huge objects', () => {
    const out = toLoggable({ text: 'x'.repeat(50_000), many: Array.from({ length: 10_000 }, (_, i) => ({ i })) }) as { text: string; many: unknown[] };
    expect(out.text.length).toBeLessThan(8_100);
    expect(out.many.length).toBe(50);
  });
});

describe('requestLogLevel', () => {
  it('logs server errors as errors, aborted requests as warnings, the rest as info', () => {
    expect(requestLogLevel('/tickets/:id', 500)).toBe('error');
    expect(requestLogLevel('/tickets/:id', 503)).toBe('error');
    expect(requestLogLevel('/tickets/:id', 499)).toBe('warn');
    expect(requestLogLevel('/tickets/:id', 404)).toBe('info');
    expect(requestLogLevel('/tickets', 201)).toBe('info');
  });

  it('keeps successful probes and scrapes at debug, but not failing ones', () => {
    expect(requestLogLevel('/health/ready', 200)).toBe('debug');
    expect(requestLogLevel('/metrics', 200)).toBe('debug');
    expect(requestLogLevel('/health/ready', 503)).toBe('error');
    expect(requestLogLevel('/metrics', 401)).toBe('info');
  });
});
