import { Injectable } from '@nestjs/common';
import pRetry, { AbortError } from 'p-retry';
import { AppConfig } from '../config/configuration.js';
import { WITHHELD_TEXT, oneLine, slaPhrase, truncate, type HandoffPackage } from './handoff.js';
import { webhookSignature } from '../common/webhook-signature.js';

export interface DeliveryResult {
  delivered: boolean;
  attempts: number;
  /** The receiver's last HTTP status (null: no answer — network error or timeout). */
  http_status: number | null;
  /** Why not delivered (never the URL, which may hold a token, nor the body). */
  error: string | null;
}

/** Slack rejects a section whose text is longer than 3,000 characters. */
const SECTION_MAX = 2_900;
const WITHHELD = `_${WITHHELD_TEXT}_`;

/** Slack's mrkdwn control characters: `<!channel>` in a customer's text must not notify anyone. */
function slack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function section(text: string) {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, SECTION_MAX) } };
}

/** The one-line summary (Slack's `text`: notifications and clients without blocks show it). */
export function handoffSummary(pkg: HandoffPackage): string {
  return slack(`:sos: Ticket ${pkg.ticket_id} needs a person: ${oneLine(pkg.reason, 300)} Priority ${pkg.triage.priority ?? 'untriaged'}, SLA ${slaPhrase(pkg.sla)}.`);
}

/**
 * The package as it leaves the service: texts a guardrail flagged are replaced by the withheld
 * marker (the flags stay, so a receiver knows to read them in the ticket).
 */
export function withholdFlagged(asked: HandoffPackage['asked']): HandoffPackage['asked'] {
  return {
    inquiry: asked.inquiry_flagged ? WITHHELD_TEXT : asked.inquiry,
    inquiry_flagged: asked.inquiry_flagged,
    follow_ups: asked.follow_ups.map((f) => (f.flagged ? { ...f, message: WITHHELD_TEXT } : f)),
  };
}

/**
 * The webhook body: Slack-compatible (`text` and mrkdwn `blocks`) with the package under
 * `handoff` for receivers that read JSON — without its delivery state, and with flagged texts
 * withheld there too (the escalation channel never carries them).
 */
export function handoffWebhookBody(pkg: HandoffPackage) {
  const { delivery: _delivery, ...rest } = pkg;
  const handoff = { ...rest, asked: withholdFlagged(pkg.asked) };
  const t = pkg.triage;
  const quote = (text: string, max: number) => `>${slack(oneLine(text, max))}`;
  const asked = [
    '*What they asked*',
    pkg.asked.inquiry_flagged ? WITHHELD : quote(pkg.asked.inquiry, 1_200),
    ...pkg.asked.follow_ups.map((f) => `• ${f.at}: ${f.flagged ? WITHHELD : slack(oneLine(f.message, 300))}`),
  ].join('\n');
  const articles = pkg.articles_consulted.length
    ? pkg.articles_consulted.slice(0, 5).map((a) => `${a.id}${a.title ? ` ${slack(oneLine(a.title, 80))}` : ''}${a.match === null ? '' : ` (${a.match})`}`).join(', ')
    : 'none';
  const blocks = [
    section(
      [
        `*Escalated ticket* \`${pkg.ticket_id}\``,
        `*Why:* ${slack(oneLine(pkg.reason, 400))}`,
        `*Priority:* ${t.priority ?? 'untriaged'} · *SLA:* ${slaPhrase(pkg.sla)}`,
        `*Customer:* ${slack(pkg.customer.customer_id ?? 'unknown')} (${slack(pkg.customer.channel ?? 'unknown channel')})${pkg.customer.customer_history ? ` · ${slack(oneLine(pkg.customer.customer_history, 120))}` : ''}`,
        `*Sentiment:* ${pkg.sentiment.label}${pkg.sentiment.cues.length ? ` (${slack(pkg.sentiment.cues.join('; '))})` : ''}`,
      ].join('\n'),
    ),
    section(asked),
    section(
      [
        `*Triage:* ${t.category ?? 'not triaged'} · confidence ${t.confidence ?? '–'}${t.clarification_needed ? ' · clarification was needed' : ''}`,
        `*Articles consulted:* ${articles}`,
        ...(pkg.actions.length
          ? [`*Account actions:* ${pkg.actions.slice(-5).map((a) => `${slack(a.action)} ${a.status}${a.by ? ` by ${slack(a.by)}` : ''}`).join('; ')}`]
          : []),
      ].join('\n'),
    ),
    section(`*Suggested reply* (edit before sending)\n\`\`\`${slack(pkg.suggested_reply.replace(/`/g, "'"))}\`\`\``),
    { type: 'context', elements: [{ type: 'mrkdwn', text: slack(`Hand-off ${pkg.handoff_id} · GET /tickets/${pkg.ticket_id}/handoff`) }] },
  ];
  return { text: handoffSummary(pkg), blocks, handoff };
}

/** `sha256=<hex HMAC-SHA256 of the raw body>` (the X-Signature-256 header). */
export const handoffSignature = webhookSignature;


/** How long one delivery may take at most (every attempt timing out, plus the backoff). */
export function maxDeliveryMs(env: { ALERT_TIMEOUT_MS: number; ALERT_RETRIES: number }): number {
  return (env.ALERT_TIMEOUT_MS + 2_000) * (env.ALERT_RETRIES + 1);
}

/**
 * Posts hand-off packages to ESCALATION_WEBHOOK_URL, signed when ESCALATION_WEBHOOK_SECRET is
 * set. Network errors, timeouts, 429 and 5xx are retried with backoff (ALERT_RETRIES times,
 * ALERT_TIMEOUT_MS per attempt); a 4xx is final. Never throws.
 */
@Injectable()
export class HandoffWebhook {
  constructor(private readonly config: AppConfig) {}

  get configured(): boolean {
    return Boolean(this.config.env.ESCALATION_WEBHOOK_URL);
  }

  async deliver(pkg: HandoffPackage): Promise<DeliveryResult> {
    const url = this.config.env.ESCALATION_WEBHOOK_URL;
    if (!url) return { delivered: false, attempts: 0, http_status: null, error: 'not configured (ESCALATION_WEBHOOK_URL is unset)' };
    const body = JSON.stringify(handoffWebhookBody(pkg));
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'support-agents-handoff',
      'idempotency-key': pkg.handoff_id,
      'x-handoff-id': pkg.handoff_id,
    };
    const secret = this.config.env.ESCALATION_WEBHOOK_SECRET;
    if (secret) headers['x-signature-256'] = handoffSignature(body, secret);
    const timeout = this.config.env.ALERT_TIMEOUT_MS;
    let attempts = 0;
    let lastStatus: number | null = null;
    try {
      const status = await pRetry(
        async () => {
          attempts++;
          lastStatus = null;
          let res: Response;
          try {
            res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeout), redirect: 'error' });
          } catch (err) {
            // Our own error (retried by p-retry whatever realm fetch's errors come from), worded without the URL.
            throw new Error(describe(err, timeout), { cause: err });
          }
          await res.arrayBuffer().catch(() => undefined);
          lastStatus = res.status;
          if (res.status === 429 || res.status >= 500) throw new Error(`webhook answered ${res.status}`);
          if (!res.ok) throw new AbortError(`webhook answered ${res.status}`);
          return res.status;
        },
        { retries: this.config.env.ALERT_RETRIES, minTimeout: 200, maxTimeout: 2_000, randomize: true },
      );
      return { delivered: true, attempts, http_status: status, error: null };
    } catch (err) {
      return { delivered: false, attempts, http_status: lastStatus, error: err instanceof Error ? err.message : 'delivery failed' };
    }
  }
}

/** A fetch error in words, without the URL (fetch errors may carry it) or anything sent. */
function describe(err: unknown, timeoutMs: number): string {
  const { name, cause } = (err ?? {}) as { name?: unknown; cause?: { code?: unknown; message?: unknown } };
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const code = cause?.code;
  if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return `network error (${code})`;
  // undici's own reasons ("bad port", "unexpected redirect"): short fixed phrases, no URL.
  const reason = typeof cause?.message === 'string' && /^[a-z ]{3,40}$/.test(cause.message) ? ` (${cause.message})` : '';
  return `network error${reason}`;
}
