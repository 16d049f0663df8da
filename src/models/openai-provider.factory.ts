import { OpenAIProvider, setDefaultOpenAITracingExporter } from '@openai/agents-openai';
import OpenAI from 'openai';
import type { AppConfig } from '../config/configuration.js';

/**
 * Imported lazily by AgentRunner (≈ 0.5 s of start-up saved when the backend is offline).
 * The SDK's OpenAI provider over our own client, so base URL, timeout and retries come from
 * configuration (any compatible server: vLLM, Ollama, LM Studio, gateways).
 */
export function createOpenAIProvider(config: AppConfig): OpenAIProvider {
  const e = config.env;
  // The umbrella '@openai/agents' package registers this exporter on import; we load the OpenAI
  // side only when it is used (start-up), so register it here, and only when traces may leave.
  if (e.OPENAI_TRACING) setDefaultOpenAITracingExporter();
  const client = new OpenAI({
    apiKey: e.OPENAI_API_KEY ?? 'not-set',
    baseURL: e.OPENAI_BASE_URL,
    timeout: e.OPENAI_TIMEOUT_MS,
    maxRetries: e.OPENAI_MAX_RETRIES,
  });
  return new OpenAIProvider({ openAIClient: client, useResponses: e.OPENAI_API === 'responses' });
}
