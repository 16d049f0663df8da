import { z } from 'zod';
import { STORABLE_TIMESTAMP_MESSAGE, storableInstant } from '../common/timestamp.js';
import { textField, UNSTORABLE_TEXT_MESSAGE, unstorableText } from '../common/validation.js';
import { ARTICLE_ID_PATTERN } from './article.js';

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

// Bodies are checked for unstorable text by JsonBodyMiddleware; Markdown front matter is parsed
// after it (YAML escapes such as "\0"), so the article fields check again.
const storable = (s: string) => !unstorableText(s);
const ArticleFields = {
  title: textField(300).refine(storable, UNSTORABLE_TEXT_MESSAGE).transform((s) => s.trim()),
  body: textField(200_000).refine(storable, UNSTORABLE_TEXT_MESSAGE),
  category: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lowercase letters, digits, - and _'),
  tags: z.array(z.string().trim().min(1).max(64).refine(storable, UNSTORABLE_TEXT_MESSAGE)).max(50).default([]),
};
const ArticleId = z.string().regex(ARTICLE_ID_PATTERN, 'lowercase letters, digits and dashes (at most 64)');

/** Body of POST /knowledge-base/articles (id optional) and PUT /knowledge-base/articles/:id (id from the path). */
export const ArticleWriteSchema = z.object({ id: ArticleId.optional(), ...ArticleFields }).strict();
export type ArticleWrite = z.infer<typeof ArticleWriteSchema>;

/** One imported article, from JSON or from a Markdown file's front matter and body: the same rules. */
export const ImportArticleSchema = z
  .object({ id: ArticleId, ...ArticleFields, updated_at: z.string().refine((s) => storableInstant(s) !== undefined, STORABLE_TIMESTAMP_MESSAGE).optional() })
  .strict();

export const IMPORT_MAX_ARTICLES = 2_000;
export const ImportRequestSchema = z
  .object({
    articles: z.array(ImportArticleSchema).max(IMPORT_MAX_ARTICLES).default([]),
    markdown: z
      .array(z.object({ name: z.string().max(255).optional(), content: z.string().min(1).max(200_000) }).strict())
      .max(IMPORT_MAX_ARTICLES)
      .default([]),
    on_existing: z.enum(['update', 'skip', 'fail']).default('update'),
  })
  .strict()
  .refine((r) => r.articles.length + r.markdown.length <= IMPORT_MAX_ARTICLES, {
    message: `at most ${IMPORT_MAX_ARTICLES} articles per import`,
    path: ['articles'],
  });
