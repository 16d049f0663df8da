import { OpenAIProvider } from '@openai/agents-openai';
import type { ModelProvider } from '@openai/agents-core';
import OpenAI from 'openai';
import type { AppConfig } from '../config/configuration.js';
import { pacerOf } from '../costs/model-pacer.js';

/**
 * Imported lazily by AgentRunner (≈ 0.5 s of start-up saved when the backend is offline).
 * The SDK's OpenAI provider over our own client, so base URL, timeout and retries come from
 * configuration (any compatible server: vLLM, Ollama, LM Studio, gateways). Every model call is
 * paced (MODEL_MAX_CONCURRENCY, MODEL_REQUESTS_PER_MINUTE) and metered (docs/costs.md), and a 429
 * pauses the pacer for the provider's Retry-After.
 */
export function createOpenAIProvider(config: AppConfig): ModelProvider {
  const e = config.env;
  const pacer = pacerOf(config);
  // Traces: TracingService (src/observability/tracing) adds OpenAI's exporter when OPENAI_TRACING allows it.
  const client = new OpenAI({
    apiKey: e.OPENAI_API_KEY ?? 'not-set',
    baseURL: e.OPENAI_BASE_URL,
    timeout: e.OPENAI_TIMEOUT_MS,
    maxRetries: e.OPENAI_MAX_RETRIES,
    ...(pacer ? { fetch: pacer.fetch() } : {}),
  });
  const provider = new OpenAIProvider({ openAIClient: client, useResponses: e.OPENAI_API === 'responses' });
  return pacer ? pacer.wrap(provider, e.OPENAI_MODEL) : provider;
}
