/**
 * OTEL_EXPORTER_OTLP_HEADERS as the OpenTelemetry specification writes it: `key=value` pairs
 * separated by commas, values URL-encoded (`Authorization=Basic%20abc,x-scope-orgid=tenant1`).
 * Throws naming the bad entry, so configuration validation can report it at start-up.
 */
export function parseOtlpHeaders(raw: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!raw?.trim()) return headers;
  for (const entry of raw.split(',')) {
    if (!entry.trim()) continue;
    const eq = entry.indexOf('=');
    const key = (eq < 0 ? entry : entry.slice(0, eq)).trim();
    // An HTTP header name is a token (RFC 9110): no spaces, separators or control characters.
    // Named by what precedes the first separator only: the rest is likely a credential
    // ("Authorization: Bearer …" written with a colon), and start-up errors are printed as they are.
    if (eq < 0 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(key)) throw new Error(`the entry starting "${entry.trim().split(/[\s:=]/)[0]!.slice(0, 40)}" is not key=value with a valid header name`);
    let value: string;
    try {
      value = decodeURIComponent(entry.slice(eq + 1).trim());
    } catch {
      throw new Error(`the value of "${key}" is not valid URL encoding`);
    }
    if (/[\r\n\0]/.test(value)) throw new Error(`the value of "${key}" contains a line break`);
    headers[key] = value;
  }
  return headers;
}

/** Configuration validation: what is wrong with OTEL_EXPORTER_OTLP_HEADERS (empty when nothing). */
export function otlpHeaderErrors(raw: string | undefined): string[] {
  try {
    parseOtlpHeaders(raw);
    return [];
  } catch (err) {
    return [`OTEL_EXPORTER_OTLP_HEADERS: ${(err as Error).message} (expected key=value pairs separated by commas, values URL-encoded)`];
  }
}
