import { Global, Module } from '@nestjs/common';
import { Metrics } from './metrics.js';

/** Global: any feature records into the one registry without importing this module. */
@Global()
@Module({ providers: [Metrics], exports: [Metrics] })
export class MetricsModule {}
