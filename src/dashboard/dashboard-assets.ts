import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One file the dashboard serves, read once at start-up. */
export interface StaticAsset {
  body: Buffer;
  contentType: string;
  /** Strong validator of the content, so a browser revalidates with If-None-Match and gets a 304. */
  etag: string;
}

/** URL path under /dashboard → file in public/ (or the Chart.js build, see below). */
export const PAGE_FILES = {
  '': { file: 'index.html', type: 'text/html; charset=utf-8' },
  'app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  'app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
} as const;

export const VENDOR_FILES = {
  'vendor/chart.umd.min.js': { file: 'chart.umd.min.js', type: 'text/javascript; charset=utf-8' },
  // The build ends with a sourceMappingURL comment; serving the map keeps browser devtools quiet.
  'vendor/chart.umd.min.js.map': { file: 'chart.umd.min.js.map', type: 'application/json; charset=utf-8' },
} as const;

export type AssetPath = keyof typeof PAGE_FILES | keyof typeof VENDOR_FILES;

/**
 * Where the page's files are. `tsc` compiles only TypeScript into dist/, so the files stay in
 * src/dashboard/public/: found next to this module when it runs from src/ (Jest, ts loaders), and
 * from dist/dashboard/ two levels up, at the repository root, then src/dashboard/public/.
 * A build that copies public/ next to the compiled module is found first.
 */
export function publicDirCandidates(moduleUrl: string = import.meta.url): string[] {
  const here = dirname(fileURLToPath(moduleUrl));
  return [join(here, 'public'), join(here, '..', '..', 'src', 'dashboard', 'public')];
}

export function findPublicDir(moduleUrl: string = import.meta.url): string | undefined {
  return publicDirCandidates(moduleUrl).find((dir) => existsSync(join(dir, PAGE_FILES[''].file)));
}

/**
 * The folder of Chart.js's UMD build, resolved like an import (wherever npm put the package).
 * The package's `exports` do not list dist/chart.umd.min.js, so it is found next to the CommonJS
 * entry point, which the exports do list.
 */
export function chartJsDir(): string {
  return dirname(createRequire(import.meta.url).resolve('chart.js'));
}

export function toAsset(body: Buffer, contentType: string): StaticAsset {
  return { body, contentType, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"` };
}

/** Reads every file; throws naming the folders searched when the page's files are missing. */
export function loadDashboardAssets(moduleUrl: string = import.meta.url): Map<AssetPath, StaticAsset> {
  const dir = findPublicDir(moduleUrl);
  if (!dir) throw new Error(`dashboard files not found (looked in ${publicDirCandidates(moduleUrl).join(', ')})`);
  const vendor = chartJsDir();
  const assets = new Map<AssetPath, StaticAsset>();
  for (const [path, { file, type }] of Object.entries(PAGE_FILES)) assets.set(path as AssetPath, toAsset(readFileSync(join(dir, file)), type));
  for (const [path, { file, type }] of Object.entries(VENDOR_FILES)) assets.set(path as AssetPath, toAsset(readFileSync(join(vendor, file)), type));
  return assets;
}
