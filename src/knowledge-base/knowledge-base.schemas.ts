import { z } from 'zod';
import { textField } from '../common/validation.js';

export const KbHitSchema = z.object({
  id: z.string(),
  title: z.string(),
  category: z.string(),
  score: z.number().describe('BM25+ relevance, comparable within one query.'),
  match: z.number().min(0).max(1).describe('IDF-weighted share of the query terms the article contains.'),
  matched_terms: z.number().int().describe('Distinct query terms found in the article.'),
  query_terms: z.number().int().describe('Distinct informative terms in the query.'),
  snippet: z.string(),
});

/** The knowledge-base agent's output: the relevant articles, best first. */
export const KbAgentOutputSchema = z.object({
  query: z.string(),
  articles: z.array(KbHitSchema).describe('Relevant articles, best first; empty when nothing fits.'),
});
export type KbAgentOutput = z.infer<typeof KbAgentOutputSchema>;

export const KbAgentInputSchema = z.union([
  z
    .object({
      query: textField(20_000),
      category: z.string().max(64).optional(),
    })
    .strict(),
  textField(20_000).transform((query) => ({ query, category: undefined as string | undefined })),
]);
export type KbAgentInput = z.infer<typeof KbAgentInputSchema>;

export const SearchToolParameters = z.object({
  query: z.string().describe('What the customer needs, in their words or as keywords.'),
  limit: z.number().int().min(1).max(10).nullable().describe('How many articles to return (default 5).'),
  category: z.string().nullable().describe('Restrict to one category, or null for all.'),
});
