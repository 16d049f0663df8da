/**
 * SLA over stored tickets (issue 7, docs/sla.md): the scheduled check, the overview's compute,
 * and the clock arithmetic under them. Used by bench/monitoring-scale.ts.
 *
 * - Micro: BusinessTime.between/add over typical spans with a Berlin Mon-Fri calendar and with
 *   the null (24/7) calendar; ticketClocks and evaluateTicket per ticket over generated
 *   histories shaped like the seeded ones, default (calendar-time) policies and the same
 *   targets in Berlin business hours.
 * - Stored: the real AppModule in this process on a new embedded database (PGlite), with
 *   SLA_CHECK_INTERVAL_SECONDS=0 and no alert channel; N open tickets seeded with SQL (created,
 *   triaged, the resolution agent's escalation, a person's reply on about half, a customer
 *   reply), then SlaCheckService.check() against its baseline in the same run: the bare read of
 *   the same tickets (SlaRepository.tickets pages, no compute); also SlaService.overview() in
 *   process, and the per-ticket compute alone over the same histories held in memory (so the
 *   check splits into read + compute + the rest: the alert log and the snapshot).
 */
import 'reflect-metadata';
import { Logger, type INestApplication, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { sql } from 'drizzle-orm';
import { AppModule } from '../src/app.module.js';
import { Database } from '../src/database/database.js';
import { ticketEvents, tickets } from '../src/database/schema.js';
import { setupApp } from '../src/setup-app.js';
import { BusinessTime } from '../src/sla/business-hours.js';
import { SlaCheckService, type CheckResult } from '../src/sla/sla-check.service.js';
import { ticketClocks } from '../src/sla/sla-clock.js';
import { atRiskOf, breachesOf, evaluateTicket, SlaStatsBuilder, type SlaTicketRow } from '../src/sla/sla-evaluation.js';
import { CalendarSchema, DEFAULT_POLICY_SET, PolicySetSchema, calendarOf, matchPolicy, type Calendar, type PolicySet } from '../src/sla/sla-policy.js';
import { SlaRepository, type TicketHistory } from '../src/sla/sla.repository.js';
import { SlaService } from '../src/sla/sla.service.js';
import { timelineOf, type StoredClockEvent } from '../src/sla/ticket-timeline.js';
import { REDACTION_VERSION } from '../src/tickets/stored-redaction.js';
import { seededRandom } from '../src/triage/classifier/softmax-regression.js';
import { inquiries } from './fixtures.js';
import { median } from './in-process.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// ---------------------------------------------------------------- calendars and policies

/** Europe/Berlin, Mon-Fri 09:00-17:00, the 2026 public holidays of Berlin plus 24 and 31 Dec. */
export const BERLIN: Calendar = CalendarSchema.parse({
  id: 'berlin-office',
  time_zone: 'Europe/Berlin',
  hours: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [{ start: '09:00', end: '17:00' }]])),
  holidays: ['2026-01-01', '2026-03-08', '2026-04-03', '2026-04-06', '2026-05-01', '2026-05-14', '2026-05-25', '2026-10-03', '2026-12-24', '2026-12-25', '2026-12-26', '2026-12-31'],
});

/** The built-in targets, counted in Berlin business hours (what a team with office hours sets). */
export const BERLIN_POLICY_SET: PolicySet = PolicySetSchema.parse({
  calendars: [BERLIN],
  policies: DEFAULT_POLICY_SET.policies.map((p) => ({ ...p, business_hours: BERLIN.id })),
});

// ---------------------------------------------------------------- generated tickets

const PRIORITY = ['High', 'Medium', 'Medium', 'Low', 'Low'] as const;
const CATEGORY = ['technical', 'billing', 'general'] as const;
const CHANNEL = ['email', 'chat', 'phone', 'web'] as const;

export interface GeneratedTicket {
  row: SlaTicketRow;
  inquiry: string;
  events: (StoredClockEvent & { data: Record<string, unknown> })[];
}

/**
 * `count` open tickets (ids bench-<offset+i>), created over the 2 days before `now` (3 in 4 in the
 * last 8 hours: a backlog is mostly recent): created → triaged → the resolution agent's
 * escalation (its holding message, not a reply) → on 4 in 5 a person's reply → a customer reply.
 * Under the default policies about 28 % of them have an open breach and 7 % an at-risk clock.
 * Statuses end escalated or in_progress: nothing the start-up sweeps pick up. Payloads
 * are about as large as the agents' (a few hundred bytes to ~1.5 kB): the check reads only
 * data->>'status', but the database still has to open them.
 */
export function generateTickets(count: number, offset: number, now: number, seed = 7): GeneratedTicket[] {
  const rand = seededRandom(seed + offset);
  const texts = inquiries();
  const filler = 'Based on the article "Resetting two-factor authentication", ask the customer to confirm the account e-mail, then… '.repeat(12);
  const out: GeneratedTicket[] = [];
  for (let i = 0; i < count; i++) {
    const n = offset + i;
    const age = rand() < 0.75 ? rand() * 8 * HOUR : 8 * HOUR + rand() * (2 * DAY - 8 * HOUR);
    const created = now - age;
    const priority = PRIORITY[n % PRIORITY.length]!;
    const category = CATEGORY[n % CATEGORY.length]!;
    const channel = CHANNEL[n % CHANNEL.length]!;
    const inquiry = texts[n % texts.length]!;
    let t = created;
    let status = 'escalated';
    const events: GeneratedTicket['events'] = [];
    const push = (type: string, actor: string, at: number, data: Record<string, unknown>) => events.push({ type, actor, at: new Date(at), status: (data.status as string) ?? null, data });
    push('created', 'customer', t, { status: 'queued', channel });
    push('triaged', 'triage_agent', (t += 2_000 + rand() * 3_000), { status: 'processing', output: { category, priority, confidence: 0.8, ticket_metadata: { channel } }, backend: 'offline', degraded: false, usage: null, duration_ms: 3 });
    push('resolution', 'resolution_agent', (t += 5_000 + rand() * 30_000), { status: 'escalated', output: { response: filler, ticket_status: 'escalated' }, backend: 'offline', degraded: false, usage: null, duration_ms: 40, kb: [] });
    const left = now - t;
    if (rand() < 0.8) {
      status = 'in_progress';
      push('agent_reply', 'agent', (t += rand() * left * 0.5), { status, message: texts[(n + 1) % texts.length] });
    }
    push('customer_reply', 'customer', t + rand() * (now - t), { status, message: texts[(n + 2) % texts.length] });
    out.push({ row: { id: `bench-${n}`, status, priority, category, channel, createdAt: new Date(created) }, inquiry, events });
  }
  return out;
}

/** Inserts generated tickets with their events (500 tickets per statement). */
export async function seedTickets(database: Database, generated: GeneratedTicket[]): Promise<void> {
  const db = database.db;
  for (let i = 0; i < generated.length; i += 500) {
    const batch = generated.slice(i, i + 500);
    await db.transaction(async (tx) => {
      await tx.insert(tickets).values(
        batch.map(({ row, inquiry, events }) => ({
          id: row.id,
          status: row.status,
          inquiryText: inquiry,
          metadata: { channel: row.channel, customer_id: `c-${row.id}` },
          channel: row.channel,
          customerId: `c-${row.id}`,
          category: row.category,
          priority: row.priority,
          redaction: REDACTION_VERSION, // the start-up redaction job has nothing to rewrite
          createdAt: row.createdAt,
          updatedAt: events.at(-1)!.at,
        })),
      );
      await tx.insert(ticketEvents).values(batch.flatMap(({ row, events }) => events.map((e) => ({ ticketId: row.id, type: e.type, actor: e.actor, data: e.data, at: e.at }))));
    });
  }
  // Their hand-off packages were built and delivered (else the hand-off outbox sweep would build
  // one per escalated ticket in the background while we measure).
  await db.execute(sql`
    update ${tickets} t set handoff = jsonb_build_object('handoff_id', 'bench-' || t.id, 'escalation_event_id', e.id, 'delivery', jsonb_build_object('status', 'delivered'))
    from ${ticketEvents} e where e.ticket_id = t.id and e.type = 'resolution' and t.handoff is null`);
}

// ---------------------------------------------------------------- micro

export interface MicroBench {
  spans: number;
  /** ns per call, warm (second pass over the same inputs: per-day caches filled). */
  between_ns: { berlin: number; berlin_cold: number; always: number };
  add_ns: { berlin: number; berlin_cold: number; always: number };
  tickets: number;
  /** µs per ticket. */
  ticket_clocks_us: { default: number; berlin: number };
  evaluate_ticket_us: { default: number; berlin: number };
}

function nsPerCall(n: number, fn: () => void): number {
  const started = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - started) / n;
}

/** Typical spans: starts over 2026 (DST changes and holidays included), lengths log-uniform 5 min - 3 days. */
export function slaMicroBench(): MicroBench {
  const rand = seededRandom(3);
  const N = 50_000;
  const from = new Float64Array(N);
  const to = new Float64Array(N);
  const add = new Float64Array(N);
  const year = Date.parse('2026-01-01T00:00:00Z');
  const targets = [15, 60, 240, 480, 1440, 4320].map((m) => m * 60_000);
  for (let i = 0; i < N; i++) {
    from[i] = year + rand() * 365 * DAY;
    to[i] = from[i]! + Math.exp(Math.log(5 * 60_000) + rand() * Math.log((3 * DAY) / (5 * 60_000)));
    add[i] = targets[i % targets.length]!;
  }
  let sink = 0;
  const between = (bt: BusinessTime) => () => {
    for (let i = 0; i < N; i++) sink += bt.between(from[i]!, to[i]!);
  };
  const adds = (bt: BusinessTime) => () => {
    for (let i = 0; i < N; i++) sink += bt.add(from[i]!, add[i]!);
  };
  const always = BusinessTime.for(null);
  const berlin = BusinessTime.for(BERLIN);
  // Cold: a new Calendar object is a new instance with empty per-day caches (cached per object).
  const berlinBetweenCold = nsPerCall(N, between(BusinessTime.for(structuredClone(BERLIN))));
  const berlinAddCold = nsPerCall(N, adds(BusinessTime.for(structuredClone(BERLIN))));
  /** Median ns per call of each function, measured in interleaved rounds (drift hits each alike) after a warm-up call. */
  const interleaved = (fns: (() => void)[], calls: number, rounds = 7) => {
    for (const fn of fns) fn();
    const times = fns.map(() => [] as number[]);
    for (let r = 0; r < rounds; r++) fns.forEach((fn, k) => times[k]!.push(nsPerCall(calls, fn)));
    return times.map(median);
  };
  const [bb, ba, ab, aa] = interleaved([between(berlin), between(always), adds(berlin), adds(always)], N);
  const between_ns = { berlin: bb!, berlin_cold: berlinBetweenCold, always: ba! };
  const add_ns = { berlin: ab!, berlin_cold: berlinAddCold, always: aa! };

  const now = Date.parse('2026-11-25T10:00:00Z');
  const generated = generateTickets(10_000, 0, now);
  const timelines = generated.map((g) => timelineOf(g.row.createdAt, g.events));
  const perTicket = (set: PolicySet) => {
    const policies = generated.map((g) => matchPolicy(set, g.row)!);
    const clocks = () => {
      for (let i = 0; i < timelines.length; i++) sink += ticketClocks(timelines[i]!, { policy: policies[i]!, calendar: calendarOf(set, policies[i]!), now }).length;
    };
    const evaluate = () => {
      for (const g of generated) sink += evaluateTicket(g.row, g.events, set, now).view.metrics.length;
    };
    return [clocks, evaluate];
  };
  const [cd, ed, cb, eb] = interleaved([...perTicket(DEFAULT_POLICY_SET), ...perTicket(BERLIN_POLICY_SET)], generated.length).map((ns) => ns / 1000);
  const def = { clocks: cd!, evaluate: ed! };
  const ber = { clocks: cb!, evaluate: eb! };
  if (sink === 42) console.error(''); // keeps the results alive
  return {
    spans: N,
    between_ns,
    add_ns,
    tickets: generated.length,
    ticket_clocks_us: { default: def.clocks, berlin: ber.clocks },
    evaluate_ticket_us: { default: def.evaluate, berlin: ber.evaluate },
  };
}

// ---------------------------------------------------------------- stored tickets

export interface StoredSize {
  tickets: number;
  events: number;
  seed_ms: number;
  runs: number;
  /** Median of `runs`: SlaRepository.tickets pages only (the floor every check pays). */
  read_ms: number;
  /**
   * What the check and the overview compute (evaluateTicket, stats, breaches, at-risk) over the
   * same histories held in memory, median of 5: default (calendar-time) and Berlin policies.
   */
  compute_ms: { default: number; berlin: number };
  /** check − read − compute: the alert log (insert or de-duplicate every alert), its sweep, the snapshot. */
  other_ms: number;
  /** SlaService.overview() in process (default policies). */
  overview_ms: number;
  /** The first check over these tickets: raises an alert per new breach and at-risk clock. */
  first_check: CheckResult;
  first_check_ms: number;
  /** Later checks (the steady state: every alert exists, the dispatcher de-duplicates): median. */
  check_ms: number;
  checks: CheckResult[];
  check_vs_read: number;
  tickets_per_s: { read: number; check: number };
}

export interface StoredBench {
  data_dir: string;
  app_start_ms: number;
  sizes: StoredSize[];
}

const APP_ENV = (dataDir: string): Record<string, string> => ({
  DATA_DIR: dataDir,
  DATABASE_URL: '',
  SLA_CHECK_INTERVAL_SECONDS: '0',
  ALERT_WEBHOOK_URL: '',
  ALERT_GENERIC_WEBHOOK_URL: '',
});

/**
 * Seeds `sizes` (cumulative: 1k, then 9k more for 10k) into `dataDir` through an app built like
 * bench/server.ts's, and times check() and its baselines at each size. Closes the app (and the
 * embedded database) before returning, so a server can open the directory next.
 */
export async function storedSlaBench(options: { sizes: number[]; runs: (n: number) => number; dataDir: string; env: Record<string, string>; log: (msg: string) => void }): Promise<StoredBench> {
  const env = { ...options.env, ...APP_ENV(options.dataDir) };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  Logger.overrideLogger(['error', 'warn']);
  const levels: LogLevel[] = ['log', 'error', 'warn', 'debug', 'verbose', 'fatal'];
  let app: INestApplication | undefined;
  try {
    const started = performance.now();
    app = setupApp(await NestFactory.create<NestExpressApplication>(AppModule, { bodyParser: false, logger: ['error', 'warn'] }));
    await app.init();
    const app_start_ms = performance.now() - started;
    const database = app.get(Database);
    const repository = app.get(SlaRepository);
    const checks = app.get(SlaCheckService);
    const service = app.get(SlaService);
    const out: StoredSize[] = [];
    let seeded = 0;
    let events = 0;
    for (const size of options.sizes) {
      const now = Date.now();
      options.log(`SLA: seeding ${size - seeded} tickets (to ${size})`);
      const generated = generateTickets(size - seeded, seeded, now);
      const seedStarted = performance.now();
      await seedTickets(database, generated);
      const seed_ms = performance.now() - seedStarted;
      seeded = size;
      events += generated.reduce((s, g) => s + g.events.length, 0);
      const since = () => new Date(Date.now() - DAY);
      const read = async () => {
        let n = 0;
        for await (const page of repository.tickets(since())) n += page.length;
        return n;
      };
      // What the check and the overview compute per ticket, over histories already in memory.
      const evaluate = (histories: TicketHistory[], set: PolicySet) => {
        const at = Date.now();
        const stats = new SlaStatsBuilder(at, 60 * 60_000);
        let n = 0;
        for (const { row, events: es } of histories) {
          const e = evaluateTicket(row, es, set, at);
          stats.add(e);
          n += breachesOf(e, at).length + atRiskOf(e, at, 60 * 60_000).length;
        }
        return n;
      };
      const timed = async (fn: () => Promise<unknown>) => {
        const t0 = performance.now();
        await fn();
        return performance.now() - t0;
      };
      // Warm-up: the read path and the clocks' code (JIT), not the check (its first run is reported).
      const histories: TicketHistory[] = [];
      for await (const page of repository.tickets(since())) histories.push(...page);
      if (histories.length !== size) throw new Error(`SLA bench: read ${histories.length} tickets, seeded ${size}`);
      evaluate(histories, DEFAULT_POLICY_SET);
      evaluate(histories, BERLIN_POLICY_SET);
      options.log(`SLA: first check over ${size} tickets`);
      let first: CheckResult | undefined;
      const first_check_ms = await timed(async () => (first = asResult(await checks.check())));
      const runs = options.runs(size);
      const t = { read: [] as number[], check: [] as number[], def: [] as number[], berlin: [] as number[], overview: [] as number[] };
      const results: CheckResult[] = [];
      options.log(`SLA: ${runs} × (read, check, overview) over ${size} tickets, then the compute alone`);
      // Alternating, so the machine's drift hits each alike.
      for (let r = 0; r < runs; r++) {
        t.read.push(await timed(read));
        t.check.push(await timed(async () => results.push(asResult(await checks.check()))));
        t.overview.push(await timed(() => service.overview()));
      }
      for (let r = 0; r < 5; r++) {
        t.def.push(await timed(async () => evaluate(histories, DEFAULT_POLICY_SET)));
        t.berlin.push(await timed(async () => evaluate(histories, BERLIN_POLICY_SET)));
      }
      const read_ms = median(t.read);
      const check_ms = median(t.check);
      out.push({
        tickets: size,
        events,
        seed_ms,
        runs,
        read_ms,
        compute_ms: { default: median(t.def), berlin: median(t.berlin) },
        other_ms: check_ms - read_ms - median(t.def),
        overview_ms: median(t.overview),
        first_check: first!,
        first_check_ms,
        check_ms,
        checks: results,
        check_vs_read: check_ms / read_ms,
        tickets_per_s: { read: (size * 1000) / read_ms, check: (size * 1000) / check_ms },
      });
    }
    return { data_dir: options.dataDir, app_start_ms, sizes: out };
  } finally {
    await app?.close();
    Logger.overrideLogger(levels);
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

function asResult(r: CheckResult | { skipped: string }): CheckResult {
  if ('skipped' in r) throw new Error(`SLA check skipped: ${r.skipped}`);
  return r;
}
