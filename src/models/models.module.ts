import { Module } from '@nestjs/common';
import { AppConfigModule } from '../config/config.module.js';
import { ModelBackend } from './model-backend.js';

@Module({ imports: [AppConfigModule], providers: [ModelBackend], exports: [ModelBackend] })
export class ModelsModule {}
