import { Logger, Module } from '@nestjs/common';
import { AppConfigModule } from '../config/config.module.js';
import { AppConfig } from '../config/configuration.js';
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
        const database = await Database.open(config.env);
        try {
          await database.migrate();
        } catch (err) {
          await database.close();
          // Drizzle's message is the whole migration SQL; the cause says what went wrong.
          const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message.split('\n')[0];
          throw new Error(`Applying database migrations to ${database.location} failed: ${cause}`, { cause: err });
        }
        new Logger('Database').log(
          `${database.kind === 'pglite' ? 'Embedded PostgreSQL (PGlite)' : 'PostgreSQL'} at ${database.location}, migrated in ${Math.round(performance.now() - started)} ms`,
        );
        return database;
      },
    },
  ],
  exports: [Database],
})
export class DatabaseModule {}
