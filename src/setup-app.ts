import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppConfig } from './config/configuration.js';

/**
 * What must be set on the application object itself (body limit, Swagger, shutdown hooks);
 * shared by main.ts and the e2e tests so both serve the same app.
 */
export function setupApp(app: NestExpressApplication): NestExpressApplication {
  const config = app.get(AppConfig);
  app.disable('x-powered-by');
  // strict: false lets JsonBodyMiddleware say what is wrong with a top-level null, number or string.
  app.useBodyParser('json', { limit: config.env.BODY_LIMIT, type: ['application/json', 'application/*+json'], strict: false });
  app.enableShutdownHooks();
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
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}
