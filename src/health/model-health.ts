import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/configuration.js';

export interface ModelProbe {
  ok: boolean;
  /** ISO time of the probe. */
  checked_at: string;
  message?: string;
}

/** A probe result is reused this long: readiness probes every few seconds must not hammer the provider. */
const CACHE_MS = 30_000;
const TIMEOUT_MS = 2_000;

/**
 * Is the model backend usable? Offline: always (it is in-process). OpenAI (or a compatible
 * server): `GET {OPENAI_BASE_URL}/models` with the key, at most every 30 s, 2 s timeout — it spends
 * no tokens, and proves the server answers and takes the key. One probe at a time.
 */
@Injectable()
export class ModelHealth {
  private last: ModelProbe | undefined;
  private inFlight: Promise<ModelProbe> | undefined;

  constructor(private readonly config: AppConfig) {}

  get backend(): 'openai' | 'offline' {
    return this.config.backend;
  }

  async probe(now = Date.now()): Promise<ModelProbe> {
    if (this.last && now - Date.parse(this.last.checked_at) < CACHE_MS) return this.last;
    this.inFlight ??= this.fetchModels().finally(() => {
      this.inFlight = undefined;
    });
    this.last = await this.inFlight;
    return this.last;
  }

  private async fetchModels(): Promise<ModelProbe> {
    const e = this.config.env;
    const base = (e.OPENAI_BASE_URL ?? 'https://api.openai.com/v1').replace(/\/+$/, '');
    // The readiness answer is public: the base URL is shown without user, password or query.
    const shown = displayUrl(base);
    const checked_at = new Date().toISOString();
    try {
      const res = await fetch(`${base}/models`, {
        headers: e.OPENAI_API_KEY ? { authorization: `Bearer ${e.OPENAI_API_KEY}` } : {},
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      await res.body?.cancel(); // the list itself is not needed
      if (res.ok) return { ok: true, checked_at };
      const why = res.status === 401 || res.status === 403 ? 'the API key was refused' : `HTTP ${res.status}`;
      return { ok: false, checked_at, message: `${shown}/models answered ${why}` };
    } catch (err) {
      // fetch's own messages may quote the URL it was given.
      const reason = err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS} ms` : String((err as Error).message).replaceAll(base, shown);
      return { ok: false, checked_at, message: `${shown}/models: ${reason}` };
    }
  }
}

/** A URL without its credentials and query (they may hold a password or a key). */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`.replace(/\/+$/, '');
  } catch {
    return '(OPENAI_BASE_URL)';
  }
}
