import 'reflect-metadata';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../src/app.module.js';
import { AppConfig, loadConfig } from '../../src/config/configuration.js';
import { setupApp } from '../../src/setup-app.js';
import { freshDataDir } from './databases.js';

/**
 * The real AppModule with the configuration replaced by `env` (hermetic: the machine's own
 * environment, e.g. an OPENAI_API_KEY, never leaks into a test). Without DATA_DIR or DATABASE_URL
 * in `env` it gets a fresh embedded database of its own. Rate limits are off unless `env` sets
 * them (suites send bursts of requests from one address; test/auth.e2e-spec.ts tests the limits), request
 * log lines are off (LOG_LEVEL=silent; Nest's own logger still prints errors and warnings), and so
 * are scheduled SLA checks (suites run them with POST /monitoring/checks or SlaCheckService.check).
 */
export async function createTestApp(env: Record<string, string> = {}): Promise<NestExpressApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(AppConfig)
    .useValue(loadConfig({ LLM_PROVIDER: 'offline', LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '0', RATE_LIMIT_BURST_PER_SECOND: '0', SLA_CHECK_INTERVAL_SECONDS: '0', ...(env.DATA_DIR || env.DATABASE_URL ? {} : { DATA_DIR: freshDataDir() }), ...env }))
    .compile();
  const app = setupApp(moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, logger: ['error', 'warn'] }));
  await app.init();
  return app;
}

export const SEED_TRIAGE = {
  inquiry_text: "I can't log in to my account.",
  metadata: { channel: 'email', customer_id: '12345', customer_history: 'VIP, 2 prior tickets' },
};
