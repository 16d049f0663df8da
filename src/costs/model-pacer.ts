import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { ModelProvider } from '@openai/agents-core';
import { AppConfig } from '../config/configuration.js';
import { Metrics } from '../metrics/metrics.js';
import { CostsService } from './costs.service.js';
import { PacedModelProvider } from './paced-model.js';
import { DEFAULT_PAUSE_MS, Pacer, retryAfterMs } from './pacer.js';

/**
 * The pacer of the application a configuration belongs to: AgentRunner builds the OpenAI
 * provider from the configuration alone (lazily, on first use), so the factory finds it here.
 * Keyed by the AppConfig instance, so test apps in one process keep their own pacers.
 */
const pacers = new WeakMap<AppConfig, ModelPacer>();

export function pacerOf(config: AppConfig): ModelPacer | undefined {
  return pacers.get(config);
}

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * The OpenAI provider's pacing in this process (docs/costs.md): MODEL_MAX_CONCURRENCY calls at
 * once, MODEL_REQUESTS_PER_MINUTE starts a minute, a call waits at most OPENAI_TIMEOUT_MS for its
 * turn. The limits are per process, not shared through Redis: N processes together start at most
 * N × the limit, so set it to the provider's limit divided by the processes (a 429 still pauses
 * only the process that got it).
 */
@Injectable()
export class ModelPacer implements OnApplicationShutdown {
  private readonly logger = new Logger('ModelPacer');
  readonly pacer: Pacer;

  constructor(
    config: AppConfig,
    metrics: Metrics,
    private readonly costs: CostsService,
  ) {
    const e = config.env;
    this.pacer = new Pacer({
      maxConcurrency: e.MODEL_MAX_CONCURRENCY,
      requestsPerMinute: e.MODEL_REQUESTS_PER_MINUTE,
      maxWaitMs: e.OPENAI_TIMEOUT_MS,
      onWait: (seconds) => metrics.modelWaits.observe({ provider: 'openai' }, seconds),
    });
    pacers.set(config, this);
  }

  /** The provider with every model paced and its answers priced into the ticket's tally. */
  wrap(provider: ModelProvider, defaultModel: string): ModelProvider {
    return new PacedModelProvider(provider, this.pacer, this.costs.onModelUsage, defaultModel);
  }

  /**
   * A fetch for the OpenAI client that watches for 429s: the provider's Retry-After pauses every
   * new call of this process (the client itself retries the refused one after the same wait).
   */
  fetch(inner: Fetch = globalThis.fetch): Fetch {
    return async (input, init) => {
      const response = await inner(input, init);
      if (response.status === 429) {
        const ms = retryAfterMs(response.headers) ?? DEFAULT_PAUSE_MS;
        this.logger.warn(`The model provider answered 429; pausing new model calls for ${ms} ms`);
        this.pacer.pauseFor(ms);
      }
      return response;
    };
  }

  onApplicationShutdown(): void {
    this.pacer.close();
  }
}
