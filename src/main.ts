import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { AppConfig } from './config/configuration.js';
import { setupApp } from './setup-app.js';

async function bootstrap(): Promise<void> {
  const started = performance.now();
  // bodyParser off here: setupApp registers it with the configured limit.
  const app = setupApp(await NestFactory.create<NestExpressApplication>(AppModule, { bodyParser: false }));
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
