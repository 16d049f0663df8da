import { otlpHeaderErrors } from './otlp-headers.js';

describe('OTEL_EXPORTER_OTLP_HEADERS errors (review): the start-up message never quotes a secret', () => {
  it.each([
    ['a colon instead of =, base64 padding at the end', 'Authorization: Basic dXNlcjpzM2NyZXRwYXNzd29yZA==', 'dXNlcjpzM2Ny'],
    ['a bearer token with a space in the name part', 'Authorization Bearer sk-proj-abcdefghijklmnopqrstuv=x', 'sk-proj-abc'],
    ['no = at all', 'x-api-key:abcd1234secretvalue', 'abcd1234'],
  ])('%s: names the header, not its value', (_what, raw, secret) => {
    const [message] = otlpHeaderErrors(raw);
    expect(message).toMatch(/^OTEL_EXPORTER_OTLP_HEADERS: /);
    expect(message).not.toContain(secret);
    expect(message).toContain(raw.slice(0, 5));
  });
});
