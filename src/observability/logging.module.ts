import { Global, Module } from '@nestjs/common';
import type { DestinationStream, Logger } from 'pino';
import { AppConfigModule } from '../config/config.module.js';
import { AppConfig } from '../config/configuration.js';
import { RedactingLogger } from '../guardrails/redacting-logger.js';
import { createLogger } from './logging.js';

/** The pino logger of the app (LOG_LEVEL, LOG_FORMAT). */
export const PINO_LOGGER = Symbol('PINO_LOGGER');
/** Where log lines go: stdout unless a test provides a stream to read them from. */
export const LOG_DESTINATION = Symbol('LOG_DESTINATION');

/**
 * Global: the request middleware (setupApp), main.ts and the worker take the logger from here.
 * Services keep using Nest's `Logger`; main.ts routes it here with `app.useLogger(RedactingLogger)`.
 */
@Global()
@Module({
  imports: [AppConfigModule],
  providers: [
    { provide: LOG_DESTINATION, useValue: null },
    {
      provide: PINO_LOGGER,
      inject: [AppConfig, LOG_DESTINATION],
      useFactory: (config: AppConfig, destination: DestinationStream | null): Logger =>
        createLogger({ level: config.env.LOG_LEVEL, format: config.env.LOG_FORMAT }, destination ?? undefined),
    },
    { provide: RedactingLogger, inject: [PINO_LOGGER], useFactory: (logger: Logger) => new RedactingLogger(logger) },
  ],
  exports: [PINO_LOGGER, RedactingLogger],
})
export class LoggingModule {}
