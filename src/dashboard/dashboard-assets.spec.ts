import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { findPublicDir, loadDashboardAssets, toAsset } from './dashboard-assets.js';

const repo = resolve(import.meta.dirname, '..', '..');
const publicDir = join(repo, 'src', 'dashboard', 'public');
const urlOf = (...parts: string[]) => pathToFileURL(join(repo, ...parts)).href;

describe('dashboard assets', () => {
  it('finds public/ from the sources and from the compiled module in dist/', () => {
    expect(findPublicDir(urlOf('src', 'dashboard', 'dashboard-assets.ts'))).toBe(publicDir);
    // From dist/: the copy `npm run build` puts next to the module (scripts/copy-assets.mjs), else the sources.
    const built = join(repo, 'dist', 'dashboard', 'public');
    expect(findPublicDir(urlOf('dist', 'dashboard', 'dashboard-assets.js'))).toBe(existsSync(join(built, 'index.html')) ? built : publicDir);
    expect(findPublicDir(pathToFileURL('/nowhere/dist/dashboard/dashboard-assets.js').href)).toBeUndefined();
  });

  it('reads the page and the Chart.js build from the npm package, each with its own ETag', () => {
    const assets = loadDashboardAssets(urlOf('dist', 'dashboard', 'dashboard-assets.js'));
    expect([...assets.keys()]).toEqual(['', 'app.js', 'app.css', 'vendor/chart.umd.min.js', 'vendor/chart.umd.min.js.map']);
    expect(assets.get('')!.body.toString()).toContain('<script src="/dashboard/app.js" defer></script>');
    expect(assets.get('vendor/chart.umd.min.js')!.body.toString('utf8', 0, 40)).toMatch(/Chart\.js v4\./);
    expect(new Set([...assets.values()].map((a) => a.etag)).size).toBe(assets.size);
  });

  it('says where it looked when the files are missing', () => {
    expect(() => loadDashboardAssets(pathToFileURL('/nowhere/dist/dashboard/x.js').href)).toThrow(/dashboard files not found \(looked in \/nowhere\/dist\/dashboard\/public, \/nowhere\/src\/dashboard\/public\)/);
  });

  it('ETags change with the content', () => {
    expect(toAsset(Buffer.from('a'), 'text/plain').etag).not.toBe(toAsset(Buffer.from('b'), 'text/plain').etag);
    expect(toAsset(Buffer.from('a'), 'text/plain').etag).toMatch(/^"[\w-]{32}"$/);
  });
});
