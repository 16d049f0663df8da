import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { corsOptions } from './auth/cors.js';
import { securityHeaders } from './auth/http-hardening.js';
import { AppConfig } from './config/configuration.js';
import { Metrics } from './metrics/metrics.js';
import { requestObservability } from './observability/logging.middleware.js';
import { PINO_LOGGER } from './observability/logging.module.js';
import { parseTrustProxy } from './rate-limit/trust-proxy.js';

/**
 * What must be set on the application object itself (request id and logs, body limit, Swagger);
 * shared by main.ts and the e2e tests so both serve the same app. Signals are main.ts's
 * (installGracefulShutdown): a test app is closed by its test.
 */
export function setupApp(app: NestExpressApplication): NestExpressApplication {
  const config = app.get(AppConfig);
  app.disable('x-powered-by');
  // First of all: the request id, the request's log line and its latency metric cover every
  // request, also the ones refused by the middleware below (docs/operations.md).
  app.use(requestObservability(app.get(PINO_LOGGER), app.get(Metrics)));
  // Security (docs/security.md): the client address behind proxies, helmet headers, CORS allow-list.
  // Registered before the body parser, so a refused or oversized request still carries them.
  const trustProxy = parseTrustProxy(config.env.TRUST_PROXY);
  if (trustProxy !== undefined) app.set('trust proxy', trustProxy);
  app.use(securityHeaders('/docs'));
  const cors = corsOptions(config.env);
  if (cors) app.enableCors(cors);
  // strict: false lets JsonBodyMiddleware say what is wrong with a top-level null, number or string.
  app.useBodyParser('json', { limit: config.env.BODY_LIMIT, type: ['application/json', 'application/*+json'], strict: false });
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('support-agents')
      .setDescription(
        'Customer-support agents (triage, knowledge base, resolution, SLA monitoring) on the OpenAI Agents SDK. ' +
          `Model backend: ${config.backend}${config.backend === 'offline' ? ' (deterministic policies, not a language model)' : ''}. ` +
          'Errors are RFC 9457 problem details (application/problem+json).',
      )
      .setVersion('0.1.0')
      // The schemes the routes' @ApiBearerAuth() / @ApiSecurity('api_key') refer to (Authorize button).
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key: Authorization: Bearer <key>' })
      .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key', description: 'The same API key in x-api-key' }, 'api_key')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', swaggerOptions: { persistAuthorization: true } });
  return app;
}
