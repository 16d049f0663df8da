import type { Server } from 'node:http';
import type { ShutdownState } from './shutdown-state.js';

export interface GracefulShutdownOptions {
  /** The Nest app: close() runs the shutdown hooks (ticket runs finish), then closes the database and Redis. */
  app: { close(): Promise<void> };
  server: Pick<Server, 'close' | 'closeIdleConnections'>;
  state: Pick<ShutdownState, 'begin'>;
  logger: { log(message: string): void; warn(message: string): void; error(message: string): void };
  /** SHUTDOWN_GRACE_SECONDS in ms: past it the process exits with whatever is still running. */
  graceMs: number;
  exit: (code: number) => void;
  signals?: NodeJS.Signals[];
}

/** How often connections that went idle during the drain are closed (a kept-alive socket would wait 5 s otherwise). */
const IDLE_SWEEP_MS = 100;

/**
 * SIGTERM/SIGINT for the API process (main.ts), in this order:
 * 1. readiness answers 503 (load balancers stop sending), the listening socket closes (no new
 *    connections), idle kept-alive connections close;
 * 2. in-flight requests finish (each connection closes after its response);
 * 3. `app.close()`: shutdown hooks wait for background ticket runs, then the database, Redis and
 *    transports close;
 * 4. exit 0. A second signal, or SHUTDOWN_GRACE_SECONDS running out, exits 1 at once: tickets
 *    whose runs were cut off are picked up again by the recovery sweep when their lease ends.
 * Returns a function that removes the signal handlers.
 */
export function installGracefulShutdown(o: GracefulShutdownOptions): () => void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) {
      o.logger.warn(`${signal} again: exiting now, without waiting for in-flight work (recovery re-runs cut-off tickets)`);
      o.exit(1);
      return;
    }
    stopping = true;
    void drain(signal);
  };
  const drain = async (signal: NodeJS.Signals): Promise<void> => {
    const started = performance.now();
    const elapsed = () => `${Math.round(performance.now() - started)} ms`;
    o.state.begin(signal);
    o.logger.log(`${signal}: shutting down — readiness is false, no new connections; in-flight requests and ticket runs have ${o.graceMs / 1000} s to finish`);
    const deadline = setTimeout(() => {
      o.logger.error(`Shutdown grace of ${o.graceMs / 1000} s ran out: exiting with work in flight (recovery re-runs cut-off tickets)`);
      o.exit(1);
    }, o.graceMs);
    deadline.unref();
    try {
      const sweep = setInterval(() => o.server.closeIdleConnections(), IDLE_SWEEP_MS);
      await new Promise<void>((resolve) => {
        o.server.close(() => resolve());
        o.server.closeIdleConnections();
      });
      clearInterval(sweep);
      o.logger.log(`HTTP drained after ${elapsed()}; waiting for background work, then closing connections`);
      await o.app.close();
      clearTimeout(deadline);
      o.logger.log(`Shut down cleanly in ${elapsed()}`);
      o.exit(0);
    } catch (err) {
      clearTimeout(deadline);
      o.logger.error(`Shutdown failed after ${elapsed()}: ${err instanceof Error ? err.message : String(err)}`);
      o.exit(1);
    }
  };
  const signals = o.signals ?? ['SIGTERM', 'SIGINT'];
  for (const s of signals) process.on(s, handler);
  return () => {
    for (const s of signals) process.removeListener(s, handler);
  };
}
