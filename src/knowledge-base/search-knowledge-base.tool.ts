import { tool } from '@openai/agents-core';
import type { KnowledgeBaseService } from './knowledge-base.service.js';
import { SearchToolParameters } from './knowledge-base.schemas.js';

export const SEARCH_TOOL_NAME = 'search_knowledge_base';

/** The function tool the knowledge-base agent must call (toolChoice: 'required'). */
export function searchKnowledgeBaseTool(kb: KnowledgeBaseService) {
  return tool({
    name: SEARCH_TOOL_NAME,
    description: 'Full-text search (BM25) over the help-center articles. Returns ranked hits with a relevant passage.',
    parameters: SearchToolParameters,
    execute: async ({ query, limit, category }) => {
      const hits = await kb.search(query, limit ?? 5, category ?? undefined);
      return JSON.stringify({ query, hits });
    },
    // A failing store (database down) fails the run → 503, instead of the model reading an error text.
    errorFunction: null,
  });
}
