/** Loaders for the evaluation's labeled data (data/eval/) and the knowledge-base articles. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { readArticleDir } from '../src/knowledge-base/article-files.js';
import { TICKET_STATUSES } from '../src/resolution/resolution.schemas.js';

export const KbQuerySchema = z.object({
  id: z.string().min(1),
  query: z.string().min(1),
  /** paraphrase | typo | short | long (any other kind is reported on its own row). */
  kind: z.string().min(1),
  relevant: z.array(z.string().min(1)).min(1),
});
export type KbQuery = z.infer<typeof KbQuerySchema>;

export const ResolutionScenarioSchema = z.object({
  id: z.string().min(1),
  inquiry: z.string().min(1),
  expected: z.enum(TICKET_STATUSES),
  /** Articles a correct "resolved" answer may cite. */
  cite: z.array(z.string().min(1)).default([]),
  why: z.string().optional(),
});
export type ResolutionScenario = z.infer<typeof ResolutionScenarioSchema>;

export const RelevanceLabelSchema = z.object({
  id: z.string().min(1),
  relevant: z.array(z.string().min(1)),
  resolvable: z.boolean(),
});
export type RelevanceLabel = z.infer<typeof RelevanceLabelSchema>;

/** The knowledge base's article ids, and the ones a row refers to. */
export type ArticleRefs<T> = { ids: ReadonlySet<string>; of: (row: T) => readonly string[] };

/**
 * One object per non-empty line; errors name the file and line. Ids must be unique, and
 * every article a row refers to (`refs`) must exist.
 */
export function readJsonl<T extends { id: string }>(file: string, schema: z.ZodType<T>, refs?: ArticleRefs<T>): T[] {
  const rows: T[] = [];
  const seen = new Set<string>();
  readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .forEach((line, i) => {
      if (!line.trim()) return;
      const at = `${file}:${i + 1}`;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch (err) {
        throw new Error(`${at}: ${(err as Error).message}`, { cause: err });
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) throw new Error(`${at}: ${parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
      if (seen.has(parsed.data.id)) throw new Error(`${at}: duplicate id "${parsed.data.id}"`);
      seen.add(parsed.data.id);
      const unknown = refs?.of(parsed.data).find((id) => !refs.ids.has(id));
      if (unknown) throw new Error(`${at}: unknown article "${unknown}"`);
      rows.push(parsed.data);
    });
  return rows;
}

/** The optional data file, or undefined when it does not exist (the section is skipped). */
export function optionalJsonl<T extends { id: string }>(file: string, schema: z.ZodType<T>, refs?: ArticleRefs<T>): T[] | undefined {
  return existsSync(file) ? readJsonl(file, schema, refs) : undefined;
}

/** kb-relevance-*.jsonl in `dir`, by inquiry id. */
export function loadRelevanceLabels(dir: string, articleIds: ReadonlySet<string>): { files: string[]; labels: Map<string, RelevanceLabel> } {
  const files = existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith('kb-relevance') && n.endsWith('.jsonl')).sort() : [];
  const labels = new Map<string, RelevanceLabel>();
  for (const f of files) {
    for (const l of readJsonl(join(dir, f), RelevanceLabelSchema, { ids: articleIds, of: (r) => r.relevant })) labels.set(l.id, l);
  }
  return { files: files.map((f) => join(dir, f)), labels };
}

/** The Markdown articles of `dir`, read exactly as the service reads them. */
export const loadArticles = readArticleDir;
