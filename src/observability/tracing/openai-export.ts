import type { Env } from '../../config/configuration.js';

/**
 * Whether traces may go to OpenAI's trace store: only for the OpenAI backend, with a key, and
 * when OPENAI_TRACING says so. Never for the offline backend, never by default.
 */
export function openAIExportAllowed(env: Pick<Env, 'OPENAI_API_KEY' | 'OPENAI_TRACING'>, backend: string): boolean {
  return backend === 'openai' && !!env.OPENAI_API_KEY && env.OPENAI_TRACING === true;
}

const OPENAI_INGEST = 'https://api.openai.com/v1/traces/ingest';

/**
 * Where the traces go: the server the key belongs to. With OPENAI_BASE_URL (a gateway, a
 * compatible server) the key is that server's, so it is never sent to api.openai.com.
 */
export function openAIIngestUrl(baseUrl: string | undefined): string {
  return baseUrl ? `${baseUrl.replace(/\/+$/, '')}/traces/ingest` : OPENAI_INGEST;
}
