import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseMarkdownArticle, type Article } from './article.js';

/**
 * The Markdown articles of a directory (KB_DIR), sorted by file name; `updated_at` defaults to
 * the file's mtime. A bad file or an id used twice fails with the file's path.
 */
export function readArticleDir(directory: string): Article[] {
  const dir = resolve(directory);
  const seen = new Map<string, string>();
  return readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => {
      const path = join(dir, f);
      let article: Article;
      try {
        article = parseMarkdownArticle(readFileSync(path, 'utf8'), statSync(path).mtime.toISOString());
      } catch (err) {
        throw new Error(`Knowledge-base article ${path}: ${(err as Error).message}`, { cause: err });
      }
      if (seen.has(article.id)) throw new Error(`Knowledge-base article ${path}: id "${article.id}" is used by another file too`);
      seen.set(article.id, path);
      return article;
    });
}
