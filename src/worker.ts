import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { loadConfig } from './config/configuration.js';
import { prestartTriageTraining, trainingSource } from './triage/triage-training.prestart.js';

/**
 * A queue worker (`npm run start:worker`): runs ticket workflows from the BullMQ queue on
 * REDIS_URL, with no HTTP server. Same code base and environment as the API; docs/queue.md.
 */
async function bootstrap(): Promise<void> {
  const started = performance.now();
  if (existsSync('.env')) process.loadEnvFile('.env');
  const checked = loadConfig(process.env);
  // Refused before anything loads: a worker without Redis has no jobs, and one on the embedded
  // database cannot see the API's tickets (PGlite is one process's).
  if (!checked.env.REDIS_URL) throw new Error('The worker needs REDIS_URL (the queue the API enqueues tickets on), e.g. REDIS_URL=redis://127.0.0.1:6379.');
  if (!checked.env.DATABASE_URL) {
    throw new Error('The worker needs DATABASE_URL: the PostgreSQL the API uses (the embedded database cannot be shared between processes).');
  }
  prestartTriageTraining(trainingSource(checked.env));
  const [{ Logger }, { NestFactory }, { WorkerModule }, { TicketWorker }, { AppConfig }, { RedactingLogger }, { Metrics }, { startWorkerMetricsServer }] = await Promise.all([
    import('@nestjs/common'),
    import('@nestjs/core'),
    import('./queue/worker.module.js'),
    import('./queue/ticket-worker.js'),
    import('./config/configuration.js'),
    import('./guardrails/redacting-logger.js'),
    import('./metrics/metrics.js'),
    import('./queue/worker-metrics.server.js'),
  ]);
  // Logs go through the same pino logger as the API's (JSON lines, personal data redacted).
  const app = await NestFactory.createApplicationContext(WorkerModule, { abortOnError: false, bufferLogs: true });
  app.useLogger(app.get(RedactingLogger));
  const config = app.get(AppConfig);
  const worker = app.get(TicketWorker);
  const logger = new Logger('Worker');

  let stopping = false;
  let metricsServer: import('node:http').Server | undefined = undefined;
  const stop = async (signal: string) => {
    if (stopping) {
      // A second signal: the operator means it.
      logger.warn(`${signal} again: exiting now; running jobs are re-delivered by the stalled check`);
      process.exit(1);
    }
    stopping = true;
    const grace = config.env.SHUTDOWN_GRACE_SECONDS;
    logger.log(`${signal}: no new jobs; waiting up to ${grace} s for ${worker.running} running job(s)`);
    const clean = await worker.stop(grace * 1000);
    metricsServer?.close();
    if (!clean) {
      logger.warn(`Jobs still running after ${grace} s: left to another worker (re-delivered within about ${2 * config.env.QUEUE_STALLED_SECONDS} s, run once the ticket lease of ${config.env.TICKET_LEASE_SECONDS} s ends)`);
    }
    await app.close();
    logger.log('Worker stopped');
    process.exit(clean ? 0 : 1);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  await app.init();
  // Metrics first, so a slow Redis does not hide the worker from Prometheus.
  const port = config.env.WORKER_METRICS_PORT;
  metricsServer = port ? await startWorkerMetricsServer(app.get(Metrics).registry, port, config.env.HOST, () => !stopping) : undefined;
  if (metricsServer) logger.log(`Metrics on http://${config.env.HOST}:${port}/metrics`);
  await worker.start();
  logger.log(`support-agents worker started in ${Math.round(performance.now() - started)} ms (backend: ${config.backend}, database: PostgreSQL)`);
}

bootstrap().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
