import PQueue from 'p-queue';
import { ProblemException, problem } from '../common/problem-details.js';

export interface PacerOptions {
  /** Calls running at once. */
  maxConcurrency: number;
  /** Call starts per minute, evenly spaced (0: no limit). */
  requestsPerMinute: number;
  /** Longest a call waits for its turn before it fails with 503 model-busy. */
  maxWaitMs: number;
  /** Called with the seconds each call waited (granted or not). */
  onWait?: (seconds: number) => void;
}

/** A Retry-After longer than this is treated as this: the pacer never stops for more than a minute at once. */
export const MAX_PAUSE_MS = 60_000;
/** A 429 without a usable Retry-After pauses new calls this long. */
export const DEFAULT_PAUSE_MS = 1_000;

/**
 * Paces calls to one model provider: at most `maxConcurrency` at once and `requestsPerMinute`
 * starts a minute, spaced evenly (60 000 / rpm ms apart, a sliding window: providers enforce
 * per-minute limits over shorter periods, so a burst of a minute's worth at once would still be
 * refused). Calls beyond that wait in order; a call that would wait longer than `maxWaitMs` fails
 * with a 503 `model-busy` problem and a Retry-After instead of hanging. After a 429 the provider
 * asked for a pause (`pauseFor`): no new call starts until it is over.
 */
export class Pacer {
  private readonly queue: PQueue;
  private readonly spacingMs: number;
  private pausedUntil = 0;
  /** Turns held (the queue's own count lags a release by a few microtasks). */
  private running = 0;
  private resumeTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: PacerOptions) {
    this.spacingMs = options.requestsPerMinute > 0 ? Math.max(1, Math.ceil(60_000 / options.requestsPerMinute)) : 0;
    this.queue = new PQueue({
      concurrency: options.maxConcurrency,
      ...(this.spacingMs ? { interval: this.spacingMs, intervalCap: 1, strict: true } : {}),
    });
  }

  /** Calls running now and calls waiting for their turn. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.queue.size };
  }

  /**
   * Waits for a turn and returns the function that ends it (call it exactly once, when the call —
   * or the stream — is over). Rejects with a 503 problem when the wait would be too long.
   */
  async acquire(): Promise<() => void> {
    const startedAt = Date.now();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(this.busy()), this.options.maxWaitMs);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let granted!: () => void;
    const turn = new Promise<void>((resolve) => (granted = resolve));
    // The task holds its slot until `release`: a streamed call keeps it until the stream ends.
    const slot = this.queue.add(
      () => {
        granted();
        return held;
      },
      { signal: controller.signal },
    );
    try {
      await Promise.race([turn, slot]);
    } finally {
      clearTimeout(timer);
      this.options.onWait?.((Date.now() - startedAt) / 1000);
    }
    this.running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      release();
    };
  }

  /** Runs `work` in a turn. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await work();
    } finally {
      release();
    }
  }

  /** The provider answered 429: no new call starts for `ms` (at most a minute); running calls go on. */
  pauseFor(ms: number): void {
    const until = Date.now() + Math.min(Math.max(ms, 0), MAX_PAUSE_MS);
    if (until <= this.pausedUntil) return;
    this.pausedUntil = until;
    this.queue.pause();
    clearTimeout(this.resumeTimer);
    this.resumeTimer = setTimeout(() => {
      this.resumeTimer = undefined;
      this.queue.start();
    }, until - Date.now());
    this.resumeTimer.unref?.();
  }

  get paused(): boolean {
    return this.queue.isPaused;
  }

  /** Stops the resume timer (shutdown, tests). */
  close(): void {
    clearTimeout(this.resumeTimer);
    this.queue.clear();
  }

  /** The problem a call that waited too long gets, with an estimate of when a turn frees up. */
  private busy(): ProblemException {
    const pause = Math.max(0, this.pausedUntil - Date.now());
    const queued = (this.queue.size + 1) * this.spacingMs;
    const seconds = Math.max(1, Math.ceil(Math.max(pause, queued) / 1000));
    return new ProblemException(
      problem(
        503,
        'model-busy',
        `The model provider's pacing limits (MODEL_MAX_CONCURRENCY, MODEL_REQUESTS_PER_MINUTE) kept this call waiting longer than ${this.options.maxWaitMs} ms. Try again later.`,
        { retry_after_seconds: seconds },
      ),
      { 'Retry-After': String(seconds) },
    );
  }
}

/**
 * How long a 429 asks us to wait: OpenAI's `retry-after-ms`, else `retry-after` in seconds or
 * as an HTTP date; undefined when there is neither (or it is unreadable).
 */
export function retryAfterMs(headers: Pick<Headers, 'get'>, now = Date.now()): number | undefined {
  const ms = Number(headers.get('retry-after-ms'));
  if (headers.get('retry-after-ms') && Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (value.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
