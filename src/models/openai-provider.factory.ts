import { OpenAIProvider } from '@openai/agents';
import OpenAI from 'openai';
import type { AppConfig } from '../config/configuration.js';

/**
 * The SDK's OpenAI provider over our own client, so base URL, timeout and retries come from
 * configuration (any compatible server: vLLM, Ollama, LM Studio, gateways).
 */
export function createOpenAIProvider(config: AppConfig): OpenAIProvider {
  const e = config.env;
  const client = new OpenAI({
    apiKey: e.OPENAI_API_KEY ?? 'not-set',
    baseURL: e.OPENAI_BASE_URL,
    timeout: e.OPENAI_TIMEOUT_MS,
    maxRetries: e.OPENAI_MAX_RETRIES,
  });
  return new OpenAIProvider({ openAIClient: client, useResponses: e.OPENAI_API === 'responses' });
}
