// `npm start` compiles first when dist/ is missing or older than the sources, so a fresh
// clone needs only `npm ci && npm start`.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newest(dir) {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const out = 'dist/main.js';
if (!existsSync(out) || statSync(out).mtimeMs < Math.max(newest('src'), statSync('package.json').mtimeMs)) {
  console.log('Building (dist/ is missing or older than src/)…');
  execSync('npm run build --silent', { stdio: 'inherit' });
}
