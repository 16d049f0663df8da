import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { loadConfig } from './config/configuration.js';
import { prestartTriageTraining, trainingSource } from './triage/triage-training.prestart.js';

async function bootstrap(): Promise<void> {
  const started = performance.now();
  // Check the environment before Nest starts, so a bad variable gives one readable message.
  if (existsSync('.env')) process.loadEnvFile('.env');
  const checked = loadConfig(process.env);
  // The classifier trains on the other core while Nest and the SDK load (imported below, not
  // statically: static imports would load them before this line runs).
  prestartTriageTraining(trainingSource(checked.env));
  const [{ Logger }, { NestFactory }, { AppModule }, { AppConfig }, { setupApp }, { RedactingLogger }, { installGracefulShutdown }, { ShutdownState }] = await Promise.all([
    import('@nestjs/common'),
    import('@nestjs/core'),
    import('./app.module.js'),
    import('./config/configuration.js'),
    import('./setup-app.js'),
    import('./guardrails/redacting-logger.js'),
    import('./health/graceful-shutdown.js'),
    import('./health/shutdown-state.js'),
  ]);
  // bodyParser off here: setupApp registers it with the configured limit.
  // abortOnError false: a bad configuration rejects here and is printed below, instead of an abort.
  // The logger writes pino JSON lines (LOG_LEVEL, LOG_FORMAT) with personal data and secrets
  // redacted from every message and field (docs/operations.md, docs/security.md).
  const app = setupApp(
    await NestFactory.create<import('@nestjs/platform-express').NestExpressApplication>(AppModule, { bodyParser: false, abortOnError: false, logger: new RedactingLogger() }),
  );
  const config = app.get(AppConfig);
  // MICROSERVICE_TRANSPORT=tcp|nats: message patterns beside HTTP (docs/microservices.md); off: nothing loaded.
  await (await import('./microservice/transport.js')).connectMicroservice(app);
  await app.listen(config.env.PORT, config.env.HOST);
  const logger = new Logger('Bootstrap');
  // SIGTERM/SIGINT: readiness false, drain HTTP, let ticket runs finish, close; within SHUTDOWN_GRACE_SECONDS.
  installGracefulShutdown({
    app,
    server: app.getHttpServer(),
    state: app.get(ShutdownState),
    logger: new Logger('Shutdown'),
    graceMs: config.env.SHUTDOWN_GRACE_SECONDS * 1000,
    exit: (code) => process.exit(code),
  });
  logger.log(
    `support-agents listening on http://${config.env.HOST}:${config.env.PORT} (backend: ${config.backend}) — ` +
      `Swagger UI at /docs — started in ${Math.round(performance.now() - started)} ms`,
  );
  if (config.backend === 'offline') {
    logger.log('Offline backend: answers come from deterministic policies (a trained classifier, BM25 search, rules), not from a language model.');
  }
}

bootstrap().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
