/**
 * The app under load, in its own process (so load generation does not share its event loop):
 * the real AppModule — global pipe, filter, interceptor, JSON middleware, offline backend —
 * plus one bare route that echoes its body: the same-run baseline every scenario is
 * compared with. Prints `{"port":…}` on stdout once listening.
 */
import 'reflect-metadata';
import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import { AppModule } from '../src/app.module.js';
import { setupApp } from '../src/setup-app.js';

@Controller('bench')
class EchoController {
  @Post('echo')
  @HttpCode(200)
  echo(@Body() body: Record<string, unknown>): Record<string, unknown> {
    return body;
  }
}

@Module({ imports: [AppModule], controllers: [EchoController] })
class BenchModule {}

const app = setupApp(await NestFactory.create<NestExpressApplication>(BenchModule, { bodyParser: false, logger: ['error', 'warn'] }));
await app.listen(0, '127.0.0.1');
process.stdout.write(`${JSON.stringify({ port: (app.getHttpServer().address() as AddressInfo).port })}\n`);
