import { parseEnabledActions } from '../actions/account-actions.js';
import { z } from 'zod';
import { parseApiKeys } from '../auth/api-keys-env.js';
import { corsOriginErrors } from '../auth/cors.js';
import { parseModelPrices } from '../costs/model-prices.js';
import { otlpHeaderErrors } from '../observability/tracing/otlp-headers.js';
import { trustProxyErrors } from '../rate-limit/trust-proxy.js';

/** An empty variable counts as unset (DESIGN §3b): `OPENAI_API_KEY=` means offline. */
const optionalString = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional());
const optionalUrl = z.preprocess((v) => (v === '' ? undefined : v), z.url().optional());
const num = (def: number, min = 0) =>
  z.preprocess((v) => (v === '' || v === undefined ? def : Number(v)), z.number().int().min(min));
const TRUE = /^(1|true|yes|on)$/i;
const FALSE = /^(0|false|no|off)$/i;
/** true/false, 1/0, yes/no, on/off; anything else (a typo like "ture") is an error, not false. */
const bool = (def: boolean) =>
  z.preprocess(
    (v) => (v === '' || v === undefined ? def : TRUE.test(String(v)) ? true : FALSE.test(String(v)) ? false : v),
    z.boolean({ error: 'must be true or false (1/0, yes/no, on/off)' }),
  );
const money = (def: number) => z.preprocess((v) => (v === '' || v === undefined ? def : Number(v)), z.number().min(0).max(1e9));
const fraction = (def: number) => z.preprocess((v) => (v === '' || v === undefined ? def : Number(v)), z.number().min(0).max(1));

export const envSchema = z.object({
  NODE_ENV: z.preprocess((v) => v || 'development', z.string()),
  PORT: num(3000, 1).pipe(z.number().max(65535)),
  HOST: z.preprocess((v) => v || '0.0.0.0', z.string()),
  BODY_LIMIT: z.preprocess((v) => v || '25mb', z.string()),
  DATA_DIR: z.preprocess((v) => v || './data/db', z.string()),
  DATABASE_URL: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL').optional(),
  ),
  DATABASE_SCHEMA: z.preprocess((v) => v || 'public', z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'lowercase letters, digits and _')),
  DATABASE_POOL_SIZE: num(10, 1),
  TICKET_LEASE_SECONDS: num(300, 5),
  IDEMPOTENCY_TTL_HOURS: num(24, 1),

  LLM_PROVIDER: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['openai', 'offline']).optional()),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalUrl,
  OPENAI_API: z.preprocess((v) => v || 'responses', z.enum(['responses', 'chat_completions'])),
  OPENAI_MODEL: z.preprocess((v) => v || 'gpt-4.1-mini', z.string()),
  TRIAGE_MODEL: optionalString,
  RESOLUTION_MODEL: optionalString,
  KNOWLEDGE_BASE_MODEL: optionalString,
  MONITORING_MODEL: optionalString,
  GUARDRAIL_MODEL: optionalString,
  OPENAI_TIMEOUT_MS: num(30_000, 1),
  OPENAI_MAX_RETRIES: num(2),
  OPENAI_TRACING: bool(false),
  LLM_FALLBACK: bool(true),
  AGENT_MAX_TURNS: num(8, 1),

  TRIAGE_TAXONOMY_FILE: optionalString,
  TRIAGE_CLARIFY_THRESHOLD: fraction(0.45),
  KB_DIR: z.preprocess((v) => v || './data/kb', z.string()),
  KB_MATCH_THRESHOLD: fraction(0.6),
  REFUND_AUTO_LIMIT: z.preprocess((v) => (v === '' || v === undefined ? 500 : Number(v)), z.number().min(0)),
  ESCALATION_CHANNEL: z.preprocess((v) => v || 'slack:#support-escalations', z.string()),
  // Where hand-off packages of escalated tickets are posted (Slack-compatible JSON); signed with
  // HMAC-SHA256 (X-Signature-256) when a secret is set.
  ESCALATION_WEBHOOK_URL: optionalUrl,
  ESCALATION_WEBHOOK_SECRET: optionalString,

  // Account actions the agents may propose (docs/approvals.md). Amounts are in the account's currency.
  ACTIONS_ENABLED: optionalString.superRefine((v, ctx) => parseEnabledActions(v).errors.forEach((message) => ctx.addIssue({ code: 'custom', message }))),
  ACTION_REFUND_MAX: money(1000),
  ACTION_REFUND_AUTO_APPROVE_UP_TO: money(0),
  ACTION_CREDIT_MAX: money(200),
  ACTION_CREDIT_AUTO_APPROVE_UP_TO: money(0),
  ACCOUNT_CURRENCY: z.preprocess((v) => (v ? String(v).toUpperCase() : 'USD'), z.string().regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO 4217 code')),
  APPROVAL_TTL_MINUTES: num(1440, 1),
  // Resolution verification: a resolved ticket with no word from the customer for this long counts as verified.
  VERIFICATION_WINDOW_HOURS: num(72, 1),
  VERIFICATION_MODEL: optionalString,

  // Access control and abuse limits (docs/security.md). API_KEYS: `<key>:<scope>[+<scope>...],...`;
  // errors name the entry's position and the scope, never the key.
  API_KEYS: optionalString.superRefine((v, ctx) => parseApiKeys(v).errors.forEach((message) => ctx.addIssue({ code: 'custom', message }))),
  RATE_LIMIT_PER_MINUTE: num(600),
  RATE_LIMIT_BURST_PER_SECOND: num(50),
  CORS_ORIGINS: optionalString.superRefine((v, ctx) => corsOriginErrors(v).forEach((message) => ctx.addIssue({ code: 'custom', message }))),
  TRUST_PROXY: optionalString.superRefine((v, ctx) => trustProxyErrors(v).forEach((message) => ctx.addIssue({ code: 'custom', message }))),
  REDIS_URL: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
  ),

  // Guardrails (docs/security.md): names in GUARDRAILS_DISABLED are switched off.
  GUARDRAILS_DISABLED: optionalString,
  GUARDRAIL_INJECTION_THRESHOLD: fraction(0.7),
  GUARDRAIL_INJECTION_BORDERLINE: fraction(0.4),
  GUARDRAIL_PII_KINDS: optionalString,
  GUARDRAIL_MAX_TEXT_CHARS: num(20_000, 1),

  ALERT_WEBHOOK_URL: optionalUrl,
  ALERT_TIMEOUT_MS: num(5_000, 1),
  ALERT_RETRIES: num(2),
  // SLA monitoring over stored tickets (docs/sla.md): policies, scheduled checks, alert delivery.
  SLA_POLICIES_FILE: optionalString,
  SLA_CHECK_INTERVAL_SECONDS: num(60),
  SLA_AT_RISK_MINUTES: num(60, 1),
  SLA_SNAPSHOT_RETENTION_DAYS: num(90, 1),
  // A second, generic alert receiver (JSON body signed like the Slack one when a secret is set).
  ALERT_GENERIC_WEBHOOK_URL: optionalUrl,
  ALERT_WEBHOOK_SECRET: optionalString,
  ALERT_RENOTIFY_MINUTES: num(240, 1),
  // Alerts one check sends on their own (new and due alike); the rest go out as one digest.
  ALERT_MAX_PER_CHECK: num(10, 1),
  // Resolved and sent-once alerts older than this leave the log (open breaches stay).
  ALERT_LOG_RETENTION_DAYS: num(90, 1),

  // Scale-out and operations (docs/deployment.md, docs/operations.md).
  // Queue (BullMQ on REDIS_URL): jobs a worker runs at once, tries per job, first retry delay.
  QUEUE_CONCURRENCY: num(4, 1),
  QUEUE_ATTEMPTS: num(5, 1),
  QUEUE_BACKOFF_MS: num(2_000, 1),
  // A job whose worker died (no lock renewal) goes back to the queue within about twice this (docs/queue.md).
  QUEUE_STALLED_SECONDS: num(30, 1),
  // A worker's own /metrics and /health/live (it has no API server); 0: off.
  WORKER_METRICS_PORT: num(0).pipe(z.number().max(65535)),
  // Key prefix of the queue in Redis: deployments (or tests) sharing one Redis keep apart.
  QUEUE_PREFIX: z.preprocess((v) => v || 'support-agents', z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'letters, digits and _ . : - (at most 64)')),
  // Nest microservice transport beside HTTP (off by default).
  MICROSERVICE_TRANSPORT: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['tcp', 'nats']).optional()),
  MICROSERVICE_HOST: z.preprocess((v) => v || '127.0.0.1', z.string()),
  MICROSERVICE_PORT: num(3001, 1).pipe(z.number().max(65535)),
  NATS_URL: z.preprocess((v) => v || 'nats://127.0.0.1:4222', z.string().regex(/^(nats|tls|wss?):\/\//, 'must be a nats://, tls:// or ws(s):// URL')),
  // Put before every NATS subject (`acme.` → `acme.triage.run`), so deployments sharing a NATS server keep apart.
  NATS_SUBJECT_PREFIX: z.preprocess((v) => v ?? '', z.string().max(100).regex(/^([A-Za-z0-9_-]+\.)*$/, 'dot-terminated tokens of letters, digits, _ or - (e.g. "acme.support.")')),
  // Logs: pino JSON lines on stdout; "text" for a terminal.
  LOG_LEVEL: z.preprocess((v) => v || 'info', z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])),
  LOG_FORMAT: z.preprocess((v) => v || 'json', z.enum(['json', 'text'])),
  // Traces of agent runs as OpenTelemetry (OTLP/HTTP), kept in-house; content stays out unless allowed.
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
  OTEL_EXPORTER_OTLP_HEADERS: optionalString.superRefine((v, ctx) => otlpHeaderErrors(v).forEach((message) => ctx.addIssue({ code: 'custom', message }))),
  OTEL_SERVICE_NAME: z.preprocess((v) => v || 'support-agents', z.string()),
  TRACE_INCLUDE_SENSITIVE_DATA: bool(false),
  // Pacing of the model provider, per process: calls at once and per minute (0: no limit); excess waits.
  MODEL_MAX_CONCURRENCY: num(8, 1),
  MODEL_REQUESTS_PER_MINUTE: num(0),
  // Tokens a ticket's runs may spend in all (0: no limit); past it the ticket goes to a person.
  TICKET_TOKEN_BUDGET: num(0),
  // Prices per million tokens for cost estimates (docs/costs.md): "model=input/output,..."; errors name the entry.
  MODEL_PRICES: optionalString.superRefine((v, ctx) => parseModelPrices(v).errors.forEach((message) => ctx.addIssue({ code: 'custom', message }))),
  // Graceful shutdown: how long in-flight work may take to finish before it is left to recovery.
  SHUTDOWN_GRACE_SECONDS: num(25, 1),
});

export type Env = z.infer<typeof envSchema>;
export type Backend = 'openai' | 'offline';

/** Typed, validated view of the environment; built once at start-up. */
export class AppConfig {
  constructor(readonly env: Env) {}

  /** OpenAI when a key is set (or LLM_PROVIDER=openai), offline otherwise (DESIGN §2). */
  get backend(): Backend {
    if (this.env.LLM_PROVIDER) return this.env.LLM_PROVIDER;
    return this.env.OPENAI_API_KEY ? 'openai' : 'offline';
  }

  modelFor(agent: 'triage' | 'resolution' | 'knowledge_base' | 'monitoring' | 'guardrail' | 'verification'): string {
    const e = this.env;
    const specific = {
      triage: e.TRIAGE_MODEL,
      resolution: e.RESOLUTION_MODEL,
      knowledge_base: e.KNOWLEDGE_BASE_MODEL,
      monitoring: e.MONITORING_MODEL,
      // The borderline prompt-injection classifier: a small, cheap model is enough.
      guardrail: e.GUARDRAIL_MODEL,
      // The resolution judge reads a whole conversation: the resolution model by default.
      verification: e.VERIFICATION_MODEL ?? e.RESOLUTION_MODEL,
    }[agent];
    return specific ?? e.OPENAI_MODEL;
  }
}

/** Validates the raw environment; throws one readable error listing every bad variable. */
export function loadConfig(raw: Record<string, string | undefined>): AppConfig {
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return new AppConfig(parsed.data);
}
