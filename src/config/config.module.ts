import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AppConfig, loadConfig } from './configuration.js';

/**
 * Validates the environment once (fail fast at start-up) and provides the typed `AppConfig`.
 * Tests override `AppConfig` with `loadConfig({...})` to run the app under other settings.
 */
@Module({
  imports: [ConfigModule.forRoot({ ignoreEnvFile: false, validate: (raw) => (loadConfig(raw), raw) })],
  providers: [{ provide: AppConfig, useFactory: () => loadConfig(process.env) }],
  exports: [AppConfig],
})
export class AppConfigModule {}
