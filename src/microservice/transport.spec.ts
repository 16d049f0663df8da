import { jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { AppConfig, loadConfig } from '../config/configuration.js';
import { normalizeHeaders } from './message-dispatcher.js';
import { connectMicroservice } from './transport.js';

describe('connectMicroservice', () => {
  it('does nothing when MICROSERVICE_TRANSPORT is unset (the default)', async () => {
    const connect = jest.fn();
    const app = { get: (token: unknown) => (token === AppConfig ? loadConfig({}) : undefined), connectMicroservice: connect, startAllMicroservices: connect };
    await connectMicroservice(app as unknown as INestApplication);
    expect(connect).not.toHaveBeenCalled();
  });
});

describe('MICROSERVICE settings', () => {
  it('NATS_SUBJECT_PREFIX is empty by default and must be dot-terminated tokens', () => {
    expect(loadConfig({}).env.NATS_SUBJECT_PREFIX).toBe('');
    expect(loadConfig({ NATS_SUBJECT_PREFIX: 'acme.support.' }).env.NATS_SUBJECT_PREFIX).toBe('acme.support.');
    expect(() => loadConfig({ NATS_SUBJECT_PREFIX: 'acme' })).toThrow(/NATS_SUBJECT_PREFIX/);
    expect(() => loadConfig({ NATS_SUBJECT_PREFIX: 'a b.' })).toThrow(/NATS_SUBJECT_PREFIX/);
    expect(() => loadConfig({ NATS_SUBJECT_PREFIX: '>.' })).toThrow(/NATS_SUBJECT_PREFIX/);
  });

  it('MICROSERVICE_TRANSPORT is tcp, nats or unset', () => {
    expect(loadConfig({ MICROSERVICE_TRANSPORT: '' }).env.MICROSERVICE_TRANSPORT).toBeUndefined();
    expect(() => loadConfig({ MICROSERVICE_TRANSPORT: 'kafka' })).toThrow(/MICROSERVICE_TRANSPORT/);
  });
});

describe('normalizeHeaders', () => {
  it('lower-cases names, as Node gives HTTP headers', () => {
    expect({ ...normalizeHeaders([['X-Api-Key', 'k1'], ['Authorization', 'Bearer k2']]) }).toEqual({ 'x-api-key': 'k1', authorization: 'Bearer k2' });
  });

  it('drops values that are not strings (TCP metadata is client-made JSON)', () => {
    expect({ ...normalizeHeaders([['x-api-key', { $ne: null }], ['mode', ['async']], ['idempotency-key', 'abc']]) }).toEqual({ 'idempotency-key': 'abc' });
  });

  it('a header named __proto__ is a plain entry, not a prototype', () => {
    const headers = normalizeHeaders([['__proto__', 'x'], ['authorization', 'Bearer k']]);
    expect(Object.getPrototypeOf(headers)).toBeNull();
    expect(headers.authorization).toBe('Bearer k');
  });

  it('is bounded: at most 50 headers, none over 8 KiB', () => {
    const many = Array.from({ length: 1000 }, (_, i): [string, string] => [`h${i}`, 'v']);
    expect(Object.keys(normalizeHeaders(many))).toHaveLength(50);
    expect(normalizeHeaders([['x-api-key', 'k'.repeat(10_000)]])['x-api-key']).toBeUndefined();
  });
});
