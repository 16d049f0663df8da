import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/configuration.js';
import type { TicketEventRow } from '../database/schema.js';
import { VerificationJudge, type JudgeConversation } from './verification-judge.agent.js';
import {
  isTripped,
  judgmentsNeeded,
  VERIFICATION_EVENT,
  VERIFICATION_STATUSES,
  verifyResolution,
  type Judgment,
  type Verification,
  type VerificationFacts,
} from './verification-rules.js';
import { VerificationRepository, type VerificationSubject } from './verification.repository.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Tickets per sweep page. */
export const SWEEP_PAGE_SIZE = 100;
/**
 * The periodic sweep looks at automated resolutions recorded within the window plus this before
 * now: one is due when its window ends and the sweep runs every ≤ 15 min, so only a process unable
 * to sweep for a week misses one — and the sweep at start-up looks at all of them.
 */
const SWEEP_LOOKBACK = 7 * 24 * HOUR;
/** Follow-ups the judge reads per review at most (a ticket's review stops at the first reopen anyway). */
const MAX_JUDGMENTS_PER_REVIEW = 3;

/** The stored verification, when it has the shape this version writes. */
export function storedVerification(value: unknown): Verification | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Partial<Verification>;
  if (!VERIFICATION_STATUSES.includes(v.status as never) || typeof v.resolution_event_id !== 'string' || !Array.isArray(v.judgments)) return undefined;
  return v as Verification;
}

/** JSON equality independent of key order (jsonb stores keys in its own order). */
function sameJson(a: unknown, b: unknown): boolean {
  const canonical = (x: unknown): unknown =>
    Array.isArray(x) ? x.map(canonical) : x && typeof x === 'object' ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, canonical((x as Record<string, unknown>)[k])])) : x;
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** Whether a guardrail stopped the inquiry itself (the ticket is flagged for it, or was before a hand-back). */
function inquiryStopped(subject: VerificationSubject): boolean {
  const field = (x: unknown) => (typeof x === 'object' && x !== null ? (x as { field?: unknown }).field : undefined);
  if (field(subject.review) === 'inquiry_text') return true;
  return subject.events.some((e) => (e.type === 'guardrail_tripped' && e.data.field === 'inquiry_text') || field(e.data.cleared_review) === 'inquiry_text');
}

/**
 * What the judge reads about one follow-up: the inquiry, the agents' reply, the follow-ups up to
 * it. Text a guardrail stopped is never in it: not the inquiry when it was stopped, not a
 * customer's reply that tripped (before or after the resolution).
 */
export function judgeConversation(subject: VerificationSubject, resolutionEventId: string, followUpId: number): JudgeConversation {
  const anchor = subject.events.findIndex((e) => String(e.id) === resolutionEventId);
  const before = subject.events.slice(0, Math.max(anchor, 0));
  const earlier = before.filter((e) => e.type === 'customer_reply' && !isTripped(e) && typeof e.data.message === 'string').map((e) => e.data.message as string);
  const output = subject.events[anchor]?.data.output as { resolution_reply?: unknown } | undefined;
  const stored = subject.resolution as { resolution_reply?: unknown } | null;
  const agentReply = typeof output?.resolution_reply === 'string' ? output.resolution_reply : typeof stored?.resolution_reply === 'string' ? stored.resolution_reply : '';
  const followUps: JudgeConversation['followUps'] = [];
  for (const e of subject.events.slice(anchor + 1)) {
    if (e.id > followUpId) break;
    if (e.actor !== 'customer') continue;
    if (e.type === 'customer_reply') {
      if (!isTripped(e)) followUps.push({ type: 'customer_reply', text: typeof e.data.message === 'string' ? e.data.message : '' });
    } else if (e.type === 'csat' && typeof e.data.score === 'number') followUps.push({ type: 'csat', score: e.data.score });
    else if (e.type === 'reopened') followUps.push({ type: 'reopened' });
  }
  const inquiry = inquiryStopped(subject) ? earlier : [subject.inquiryText, ...earlier];
  return { inquiry: inquiry.join('\n\n'), agentReply, followUps };
}

const factsOf = (events: readonly TicketEventRow[]): VerificationFacts => ({ events });

/**
 * Verifies the agents' "resolved" (docs/verification.md): `review(ticketId)` folds the ticket's
 * events with the rules (asking the LLM judge, OpenAI backend only, about follow-ups the rules
 * cannot read), stores `tickets.verification`, and appends `resolution_verified` /
 * `resolution_not_verified` (actor `system`) when the outcome changes — never twice for one
 * outcome. A periodic sweep reviews the automated resolutions whose window has passed undecided
 * (verified by silence, or decided by evidence a review missed).
 */
@Injectable()
export class VerificationService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Verification');
  /** Per ticket, the review running (reviews of one ticket run one after another in this process). */
  private readonly reviews = new Map<string, Promise<void>>();
  /** Reviews and sweeps in flight, awaited before the database closes. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private currentSweep: Promise<number> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(
    private readonly repo: VerificationRepository,
    private readonly judge: VerificationJudge,
    private readonly config: AppConfig,
  ) {}

  private get windowHours(): number {
    return this.config.env.VERIFICATION_WINDOW_HOURS;
  }

  /** How often the sweep runs: a quarter of the window, at most every 15 minutes. */
  get sweepIntervalMs(): number {
    return Math.min((this.windowHours * HOUR) / 4, 15 * MINUTE);
  }

  /**
   * Computes and stores the ticket's verification. Never throws: a failure is logged and the
   * sweep tries again (call it after recording a customer's event).
   */
  review(ticketId: string): Promise<void> {
    const previous = this.reviews.get(ticketId) ?? Promise.resolve();
    const next = previous.then(() => this.evaluate(ticketId)).then(
      () => undefined,
      (err: unknown) => this.logger.error(`Ticket ${ticketId}: verification failed: ${err instanceof Error ? err.message : String(err)}`),
    );
    this.reviews.set(ticketId, next);
    this.track(next);
    void next.finally(() => {
      if (this.reviews.get(ticketId) === next) this.reviews.delete(ticketId);
    });
    return next;
  }

  /** The review itself; returns what is stored (null: the agents never resolved the ticket). Throws on database errors. */
  async evaluate(ticketId: string): Promise<Verification | null> {
    const window = this.windowHours;
    const subject = await this.repo.load(ticketId);
    if (!subject) return null;
    const first = verifyResolution(factsOf(subject.events), new Date(), window);
    if (!first) return null;
    // The judge's earlier answers about this resolution are reused, never asked again.
    const judgments = new Map<string, Judgment>();
    const stored = storedVerification(subject.verification);
    if (stored?.resolution_event_id === first.resolution_event_id) for (const j of stored.judgments) judgments.set(j.event_id, j);
    // Offline the rules decide alone (the offline backend is a deterministic policy, not an LLM).
    if (this.config.backend === 'openai') {
      for (const e of judgmentsNeeded(factsOf(subject.events), new Date(), window, judgments).slice(0, MAX_JUDGMENTS_PER_REVIEW)) {
        const answer = await this.judge.judge(judgeConversation(subject, first.resolution_event_id, e.id));
        if (answer) judgments.set(String(e.id), { event_id: String(e.id), verdict: answer.verdict, reasoning: answer.reasoning, model: this.judge.model, at: new Date().toISOString() });
      }
    }
    // The judge ran outside the transaction; the fold runs again on the locked row, so an event
    // recorded meanwhile is read, and a concurrent review cannot append the same outcome twice.
    return this.repo.transaction(async (tx) => {
      const locked = await this.repo.load(ticketId, tx, true);
      if (!locked) return null;
      const result = verifyResolution(factsOf(locked.events), new Date(), window, judgments);
      if (!result) return null;
      const before = storedVerification(locked.verification);
      if (before && sameJson(before, result)) return result;
      const changed = result.status !== 'pending' && (before?.status !== result.status || before.resolution_event_id !== result.resolution_event_id);
      const event = changed
        ? {
            type: result.status === 'verified' ? VERIFICATION_EVENT.verified : VERIFICATION_EVENT.not_verified,
            data: {
              resolution_event_id: result.resolution_event_id,
              method: result.method,
              judged_by: result.judged_by,
              evidence: result.evidence,
              reasoning: result.reasoning,
              verified_at: result.verified_at,
            },
          }
        : undefined;
      await this.repo.save(tx, ticketId, result, event);
      if (event) this.logger.log(`Ticket ${ticketId}: automated resolution ${result.status === 'verified' ? 'verified' : 'not verified'} (${result.method}, ${result.judged_by})`);
      return result;
    });
  }

  /**
   * Reviews every ticket due (its latest automated resolution older than the window and not
   * decided; with `since`, only resolutions recorded since then), in keyset pages. Waits for a
   * sweep already running, then runs. Returns the number of tickets reviewed.
   */
  async sweep(options: { since?: Date } = {}): Promise<number> {
    while (this.currentSweep) await this.currentSweep.catch(() => undefined);
    const run = this.runSweep(options.since);
    this.currentSweep = run;
    this.track(run);
    try {
      return await run;
    } finally {
      this.currentSweep = undefined;
    }
  }

  private async runSweep(since: Date | undefined): Promise<number> {
    let reviewed = 0;
    let afterId = '';
    while (!this.stopping) {
      const page = await this.repo.candidates({ afterId, limit: SWEEP_PAGE_SIZE, windowHours: this.windowHours, since });
      for (const id of page) {
        if (this.stopping) break;
        await this.review(id);
        reviewed++;
      }
      if (page.length < SWEEP_PAGE_SIZE) break;
      afterId = page.at(-1)!;
    }
    return reviewed;
  }

  /** At start-up every automated resolution not yet decided, then periodically the recent ones. */
  onApplicationBootstrap(): void {
    this.background(this.sweep());
    this.timer = setInterval(() => {
      // A sweep still running is not queued behind: the next tick comes soon enough.
      if (!this.currentSweep && !this.stopping) this.background(this.sweep({ since: new Date(Date.now() - this.windowHours * HOUR - SWEEP_LOOKBACK) }));
    }, this.sweepIntervalMs);
    this.timer.unref();
  }

  /** Before the database closes: no new sweep, and the reviews in flight finish. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await Promise.allSettled([...this.inFlight]);
  }

  private background(work: Promise<unknown>): void {
    work.catch((err: unknown) => this.logger.error(`Verification sweep failed: ${err instanceof Error ? err.message : String(err)}`));
  }

  private track(work: Promise<unknown>): void {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight.add(settled);
    void settled.finally(() => this.inFlight.delete(settled));
  }
}
