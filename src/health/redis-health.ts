import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '../config/configuration.js';

/**
 * A connection of its own for readiness (REDIS_URL set): PING answers or it does not. No offline
 * queue, no retried commands: a probe fails at once while Redis is down (ioredis keeps
 * reconnecting in the background), instead of waiting behind a queue.
 */
@Injectable()
export class RedisHealth implements OnModuleInit, OnApplicationShutdown {
  private client: Redis | undefined;

  constructor(private readonly config: AppConfig) {}

  get configured(): boolean {
    return this.config.env.REDIS_URL !== undefined;
  }

  onModuleInit(): void {
    const url = this.config.env.REDIS_URL;
    if (!url) return;
    this.client = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2_000,
      commandTimeout: 1_000,
      retryStrategy: (times) => Math.min(times * 500, 5_000),
      connectionName: 'support-agents:health',
    });
    // Failures show in the readiness answer; the client's own error events would flood the log.
    this.client.on('error', () => undefined);
    this.client.connect().catch(() => undefined);
  }

  async ping(): Promise<void> {
    if (!this.client) throw new Error('REDIS_URL is not set');
    // Not "Stream isn't writeable": say what the connection is doing (never the URL, it may hold a password).
    if (this.client.status !== 'ready') throw new Error(`not connected (${this.client.status})`);
    const answer = await this.client.ping();
    if (answer !== 'PONG') throw new Error(`unexpected PING answer ${answer}`);
  }

  async onApplicationShutdown(): Promise<void> {
    this.client?.disconnect();
  }
}
