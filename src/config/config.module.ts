import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AppConfig, loadConfig } from './configuration.js';

/**
 * Loads `.env` (ConfigModule), validates the environment once when `AppConfig` is created
 * (fail fast at start-up, naming every bad variable) and provides it typed. Tests override
 * `AppConfig` with `loadConfig({...})` to run the app under other settings.
 */
@Module({
  imports: [ConfigModule.forRoot()],
  providers: [{ provide: AppConfig, useFactory: () => loadConfig(process.env) }],
  exports: [AppConfig],
})
export class AppConfigModule {}
