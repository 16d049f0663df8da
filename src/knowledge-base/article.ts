import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** Article ids: lowercase letters, digits and dashes, at most 64 (URL-safe, stable). */
export const ARTICLE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

export const ArticleSchema = z.object({
  id: z.string().regex(ARTICLE_ID_PATTERN, 'lowercase letters, digits and dashes'),
  title: z.string().min(1).max(300),
  category: z.string().min(1).max(64),
  tags: z.array(z.string().min(1).max(64)).max(50).default([]),
  body: z.string().min(1),
  updated_at: z.string().optional(),
});
export type Article = z.infer<typeof ArticleSchema>;

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/;

/** Parses a Markdown article with YAML front matter (id, title, category, tags). */
export function parseMarkdownArticle(markdown: string, updatedAt?: string): Article {
  const m = FRONT_MATTER.exec(markdown);
  if (!m) throw new Error('missing YAML front matter (--- id/title/category/tags ---)');
  const meta = parseYaml(m[1]!) as Record<string, unknown> | null;
  const tags = Array.isArray(meta?.tags) ? meta.tags.map(String) : [];
  const parsed = ArticleSchema.safeParse({ ...meta, tags, body: m[2]!.trim(), updated_at: meta?.updated_at ?? updatedAt });
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  return parsed.data;
}

export interface ArticleSection {
  heading: string;
  text: string;
}

/** Splits an article body into its lead paragraph(s) and `## ` sections. */
export function sectionsOf(body: string): ArticleSection[] {
  const sections: ArticleSection[] = [];
  let current: ArticleSection = { heading: '', text: '' };
  for (const line of body.split(/\r?\n/)) {
    const h = /^#{2,3}\s+(.*)$/.exec(line);
    if (h) {
      if (current.text.trim() || current.heading) sections.push({ heading: current.heading, text: current.text.trim() });
      current = { heading: h[1]!.trim(), text: '' };
    } else {
      current.text += line + '\n';
    }
  }
  if (current.text.trim() || current.heading) sections.push({ heading: current.heading, text: current.text.trim() });
  return sections;
}
