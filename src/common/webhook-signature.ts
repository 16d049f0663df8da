import { createHmac } from 'node:crypto';

/** `X-Signature-256` of our webhooks (GitHub's convention): HMAC-SHA256 of the exact body bytes, hex. */
export function webhookSignature(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}
