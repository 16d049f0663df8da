import { Injectable, type OnModuleDestroy } from '@nestjs/common';

/**
 * Whether this process is shutting down. Readiness answers 503 from the first moment (so load
 * balancers stop sending work) while in-flight requests and ticket runs finish. main.ts begins it
 * on SIGTERM/SIGINT; `app.close()` begins it too (module destroy comes before the shutdown hooks
 * that wait for background work), so an embedded or test app drains the same way.
 */
@Injectable()
export class ShutdownState implements OnModuleDestroy {
  private startedAt: Date | undefined;
  private why: string | undefined;

  get draining(): boolean {
    return this.startedAt !== undefined;
  }

  /** What began the shutdown and when (for the readiness body and the logs). */
  get reason(): { reason: string; since: string } | undefined {
    return this.startedAt ? { reason: this.why!, since: this.startedAt.toISOString() } : undefined;
  }

  /** Idempotent: the first reason stays. */
  begin(reason: string): void {
    if (this.startedAt) return;
    this.startedAt = new Date();
    this.why = reason;
  }

  onModuleDestroy(): void {
    this.begin('application closing');
  }
}
