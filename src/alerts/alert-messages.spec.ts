import { alertHeaders, alertSignature, describeFetchError, genericAlertBody, retryAfterMs, slackAlertBody, urlHost, type OutgoingAlert } from './alert-messages.js';

const ID = '3b2f6a0e-8c1d-4f7a-9e25-6d4c0b1a7f93';
const SENT = new Date('2026-11-25T10:05:00.000Z');

function alert(over: Partial<OutgoingAlert> = {}): OutgoingAlert {
  return {
    id: ID,
    kind: 'breach',
    dedupe_key: 'breach:T-123:first_reply_time:2026-11-25T09:00:00.000Z',
    ticket_id: 'T-123',
    metric: 'first_reply_time',
    title: 'SLA breached: first reply time on T-123 (High)',
    lines: ['*Target:* 60 min', '*Elapsed:* 75 min'],
    fields: { priority: 'High', target_minutes: 60, elapsed_minutes: 75, vip: true, category: null },
    notification: 1,
    created_at: '2026-11-25T10:00:00.000Z',
    ...over,
  };
}

describe('slackAlertBody', () => {
  it('is Slack-compatible: the title and lines as text and one mrkdwn section, a context naming the alert, the structured alert alongside', () => {
    const body = slackAlertBody(alert(), SENT);
    expect(body.text).toBe(':rotating_light: SLA breached: first reply time on T-123 (High)\n*Target:* 60 min\n*Elapsed:* 75 min');
    expect(body.blocks[0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: body.text } });
    expect(JSON.stringify(body.blocks[1])).toContain(`GET /monitoring/alerts/${ID}`);
    expect(body.alert).toMatchObject({ id: ID, kind: 'breach', ticket_id: 'T-123', notification: 1, sent_at: SENT.toISOString(), fields: { target_minutes: 60 } });
    expect(body.alert).not.toHaveProperty('extra');
  });

  it('escapes Slack control sequences in the title (no <!channel> pings) and keeps a section under 3,000 characters', () => {
    const body = slackAlertBody(alert({ title: 'Breach <!channel> & co', lines: ['x'.repeat(5_000)] }), SENT);
    expect(body.text).toContain('Breach &lt;!channel&gt; &amp; co');
    expect(body.text.length).toBeLessThanOrEqual(2_900);
  });

  it('says which reminder a re-notification is; at-risk warnings have their own emoji', () => {
    expect(slackAlertBody(alert({ notification: 3 }), SENT).text.split('\n')[0]).toBe(
      ':rotating_light: SLA breached: first reply time on T-123 (High) (reminder 2, first sent 2026-11-25T10:00:00.000Z)',
    );
    expect(slackAlertBody(alert({ kind: 'at_risk' }), SENT).text).toMatch(/^:warning: /);
  });

  it('carries the extra keys at the top level (a metrics alert\'s `breaches`), never over its own', () => {
    const body = slackAlertBody(alert({ kind: 'metrics', extra: { breaches: [{ metric_name: 'backlog' }], text: 'overridden?' } }), SENT);
    expect((body as Record<string, unknown>).breaches).toEqual([{ metric_name: 'backlog' }]);
    expect(body.text).toMatch(/^:rotating_light: SLA breached/);
  });
});

describe('genericAlertBody', () => {
  it('is the structured alert: key, ticket, metric, title, lines, fields, notification and when it was sent', () => {
    expect(genericAlertBody(alert({ notification: 2, extra: { breaches: [], id: 'not this' } }), SENT)).toEqual({
      breaches: [],
      id: ID,
      kind: 'breach',
      dedupe_key: 'breach:T-123:first_reply_time:2026-11-25T09:00:00.000Z',
      ticket_id: 'T-123',
      metric: 'first_reply_time',
      title: 'SLA breached: first reply time on T-123 (High)',
      lines: ['*Target:* 60 min', '*Elapsed:* 75 min'],
      fields: { priority: 'High', target_minutes: 60, elapsed_minutes: 75, vip: true, category: null },
      notification: 2,
      created_at: '2026-11-25T10:00:00.000Z',
      sent_at: SENT.toISOString(),
    });
  });
});

describe('signing and headers', () => {
  it('alertSignature is sha256=<hex HMAC-SHA256> of the raw body (the well-known test vector)', () => {
    expect(alertSignature('The quick brown fox jumps over the lazy dog', 'key')).toBe('sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8');
  });

  it('an Idempotency-Key per notification; the signature and timestamp only with a secret', () => {
    const raw = JSON.stringify(genericAlertBody(alert({ notification: 2 }), SENT));
    const signed = alertHeaders({ id: ID, notification: 2 }, raw, 'shh', SENT);
    expect(signed).toMatchObject({
      'content-type': 'application/json',
      'idempotency-key': `${ID}:2`,
      'x-alert-id': ID,
      'x-signature-256': alertSignature(raw, 'shh'),
      'x-alert-timestamp': String(SENT.getTime() / 1000),
    });
    const unsigned = alertHeaders({ id: ID, notification: 1 }, raw, undefined, SENT);
    expect(unsigned['idempotency-key']).toBe(`${ID}:1`);
    expect(unsigned).not.toHaveProperty('x-signature-256');
    expect(unsigned).not.toHaveProperty('x-alert-timestamp');
  });
});

describe('what the log may say', () => {
  it('urlHost keeps the host (and port), never the path, query or credentials', () => {
    expect(urlHost('https://hooks.slack.com/services/T000/B000/XXXXSECRET')).toBe('hooks.slack.com');
    expect(urlHost('https://user:pass@alerts.example.com:8443/in?token=abc')).toBe('alerts.example.com:8443');
    expect(urlHost('not a url')).toBe('invalid URL');
  });

  it('describeFetchError names timeouts and network codes, never echoes a message that could hold the URL', () => {
    expect(describeFetchError(Object.assign(new Error('x'), { name: 'TimeoutError' }), 5_000)).toBe('no answer within 5000 ms');
    expect(describeFetchError(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }), 5_000)).toBe('network error (ECONNREFUSED)');
    expect(describeFetchError(new TypeError('fetch failed', { cause: new Error('getaddrinfo https://hooks.slack.com/services/T/B/SECRET') }), 5_000)).toBe('network error');
    expect(describeFetchError(undefined, 5_000)).toBe('network error');
  });
});

describe('retryAfterMs (a receiver\'s Retry-After)', () => {
  const MAX = 30 * 60_000;
  it('delta-seconds, or an HTTP date from now (a past one is 0), at most the cap', () => {
    expect(retryAfterMs('120', SENT, MAX)).toBe(120_000);
    expect(retryAfterMs(' 0 ', SENT, MAX)).toBe(0);
    expect(retryAfterMs('86400', SENT, MAX)).toBe(MAX);
    expect(retryAfterMs('Wed, 25 Nov 2026 10:15:00 GMT', SENT, MAX)).toBe(10 * 60_000);
    expect(retryAfterMs('Wednesday, 25-Nov-26 10:06:00 GMT', SENT, MAX)).toBe(60_000);
    expect(retryAfterMs('Wed, 25 Nov 2026 09:00:00 GMT', SENT, MAX)).toBe(0);
    expect(retryAfterMs('Fri, 25 Dec 2026 10:00:00 GMT', SENT, MAX)).toBe(MAX);
  });

  it('absent or unreadable: undefined (the backoff alone decides)', () => {
    for (const v of [null, undefined, '', '  ', '-5', '1.5', 'soon', '12abc', 'Mon, 99 Foo 2026']) expect([v, retryAfterMs(v, SENT, MAX)]).toEqual([v, undefined]);
  });
});
