import { Logger, Module } from '@nestjs/common';
import { AppConfigModule } from '../config/config.module.js';
import { AppConfig } from '../config/configuration.js';
import { connectDatabase } from './connect.js';
import { Database } from './database.js';

/** Opens the database and applies pending migrations before any feature module starts. */
@Module({
  imports: [AppConfigModule],
  providers: [
    {
      provide: Database,
      inject: [AppConfig],
      useFactory: async (config: AppConfig) => {
        const started = performance.now();
        const logger = new Logger('Database');
        const database = await connectDatabase(config.env, (message) => logger.warn(message));
        logger.log(
          `${database.kind === 'pglite' ? 'Embedded PostgreSQL (PGlite)' : 'PostgreSQL'} at ${database.location}, migrated in ${Math.round(performance.now() - started)} ms`,
        );
        return database;
      },
    },
  ],
  exports: [Database],
})
export class DatabaseModule {}
