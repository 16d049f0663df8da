/**
 * The app under load, in its own process (so load generation does not share its event loop):
 * the real AppModule — global pipe, filter, interceptor, JSON middleware, offline backend —
 * plus bare routes that are the same-run baselines the scenarios are compared with: one that
 * echoes its body (the load scenarios), one that only receives it (large bodies, where echoing
 * megabytes back would cost more than most routes do), and the bare read of the tickets the SLA
 * overview looks at. Prints `{"port":…}` on stdout once listening.
 */
import 'reflect-metadata';
import { Body, Controller, Get, HttpCode, Module, Post } from '@nestjs/common';
import { ModuleRef, NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import { AppModule } from '../src/app.module.js';
import { setupApp } from '../src/setup-app.js';
import { SlaRepository } from '../src/sla/sla.repository.js';

@Controller('bench')
class EchoController {
  constructor(private readonly modules: ModuleRef) {}

  @Post('echo')
  @HttpCode(200)
  echo(@Body() body: Record<string, unknown>): Record<string, unknown> {
    return body;
  }

  /** The body parsed and checked like any route's, a few bytes back. */
  @Post('sink')
  @HttpCode(200)
  sink(@Body() body: Record<string, unknown>): { keys: number } {
    return { keys: Object.keys(body).length };
  }

  /** What GET /monitoring/overview reads (open tickets and those solved in 24 h, with their clock events), nothing computed. */
  @Get('sla-read')
  async slaRead(): Promise<{ tickets: number }> {
    // Not exported by SlaModule: looked up across modules.
    const repository = this.modules.get(SlaRepository, { strict: false });
    let tickets = 0;
    for await (const page of repository.tickets(new Date(Date.now() - 24 * 3_600_000))) tickets += page.length;
    return { tickets };
  }
}

@Module({ imports: [AppModule], controllers: [EchoController] })
class BenchModule {}

const app = setupApp(await NestFactory.create<NestExpressApplication>(BenchModule, { bodyParser: false, logger: ['error', 'warn'] }));
await app.listen(0, '127.0.0.1');
process.stdout.write(`${JSON.stringify({ port: (app.getHttpServer().address() as AddressInfo).port })}\n`);
