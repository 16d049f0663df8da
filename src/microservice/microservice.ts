import type { INestApplication } from '@nestjs/common';
import type { AppConfig } from '../config/configuration.js';
import { MessageDispatcher } from './message-dispatcher.js';
import { createTransport, transportLogger } from './transports.js';

/** Connects the transport server to the app and starts it (the app's close() closes it). */
export async function startMicroservice(app: INestApplication, config: AppConfig): Promise<void> {
  const dispatcher = new MessageDispatcher(app, transportLogger);
  const { server, describe } = createTransport(config, dispatcher);
  // inheritAppConfig false: the handlers run the routes' pipes themselves; global filters are HTTP-only.
  app.connectMicroservice({ strategy: server }, { inheritAppConfig: false });
  await app.startAllMicroservices();
  transportLogger.log(`Message patterns ${dispatcher.patterns.join(', ')} on ${describe}`);
}
