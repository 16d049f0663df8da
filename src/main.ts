import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { existsSync } from 'node:fs';
import { AppConfig, loadConfig } from './config/configuration.js';
import { setupApp } from './setup-app.js';

async function bootstrap(): Promise<void> {
  const started = performance.now();
  // Check the environment before Nest starts, so a bad variable gives one readable message.
  if (existsSync('.env')) process.loadEnvFile('.env');
  loadConfig(process.env);
  // bodyParser off here: setupApp registers it with the configured limit.
  // abortOnError false: a bad configuration rejects here and is printed below, instead of an abort.
  const app = setupApp(await NestFactory.create<NestExpressApplication>(AppModule, { bodyParser: false, abortOnError: false }));
  const config = app.get(AppConfig);
  await app.listen(config.env.PORT, config.env.HOST);
  const logger = new Logger('Bootstrap');
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
