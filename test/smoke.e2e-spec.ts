import 'reflect-metadata';
import { Controller, Get, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { Agent, run } from '@openai/agents';

@Injectable() class S { hi() { return { ok: true }; } }
@Controller() class C { constructor(private readonly s: S) {} @Get('x') x() { return this.s.hi(); } }
@Module({ controllers: [C], providers: [S] }) class M {}

it('boots', async () => {
  const m = await Test.createTestingModule({ imports: [M] }).compile();
  const app = m.createNestApplication(); await app.init();
  await request(app.getHttpServer()).get('/x').expect(200, { ok: true });
  await app.close();
  expect(typeof Agent).toBe('function'); expect(typeof run).toBe('function');
});
