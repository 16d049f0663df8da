import type { INestApplication } from '@nestjs/common';
import { AppConfig } from '../config/configuration.js';

/**
 * With MICROSERVICE_TRANSPORT=tcp|nats the API also listens on that transport (a hybrid app) and
 * closes it with the app. Off by default, and then @nestjs/microservices and the NATS client are
 * never imported: start-up time of the default is unchanged.
 */
export async function connectMicroservice(app: INestApplication): Promise<void> {
  const config = app.get(AppConfig);
  if (!config.env.MICROSERVICE_TRANSPORT) return;
  const { startMicroservice } = await import('./microservice.js');
  await startMicroservice(app, config);
}
