import { Module } from '@nestjs/common';
import { DashboardController } from './dashboard.controller.js';

/** GET /dashboard: the SLA dashboard page, which reads /monitoring/overview, /trends and /alerts. */
@Module({ controllers: [DashboardController] })
export class DashboardModule {}
