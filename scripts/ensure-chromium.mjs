// Makes sure the browser the dashboard test drives (Debian's chromium, through playwright-core) is
// installed: when it is missing and we are root on a machine with apt-get, installs it (quietly,
// bounded in time); otherwise says why not. Exit 0: the browser is there (its path on stdout);
// exit 1: it is not (the reason on stdout, so a caller can skip its tests naming it).
//   node scripts/ensure-chromium.mjs            CHROMIUM_PATH overrides /usr/bin/chromium
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const INSTALL_TIMEOUT_MS = 5 * 60_000;

const executable = (p) => {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

function finish(ok, message) {
  console.log(message);
  process.exit(ok ? 0 : 1);
}

if (executable(path)) finish(true, path);
if (process.env.CHROMIUM_PATH) finish(false, `CHROMIUM_PATH=${path} is not an executable file`);
if (process.platform !== 'linux') finish(false, `${path} is missing and installing it is only automated on Debian/Ubuntu (this is ${process.platform})`);
if (process.getuid?.() !== 0) finish(false, `${path} is missing; install it as root: apt-get install -y --no-install-recommends chromium`);
if (spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status !== 0) finish(false, `${path} is missing and apt-get is not available to install it`);

const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const apt = (args) => spawnSync('apt-get', args, { env, encoding: 'utf8', timeout: INSTALL_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'] });
const tail = (r) => `${r.error ? r.error.message : `exit ${r.status}`}: ${`${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-3).join(' | ')}`;

console.error(`[ensure-chromium] ${path} missing: apt-get install -y --no-install-recommends chromium …`);
const started = Date.now();
const install = () => apt(['install', '-y', '-qq', '--no-install-recommends', 'chromium']);
let result = install();
// A fresh image may have no package lists yet: read them once and try again.
if (result.status !== 0 && !result.error) {
  const update = apt(['update', '-qq']);
  if (update.status === 0) result = install();
}
if (result.status !== 0 || !executable(path)) finish(false, `${path} is missing and apt-get could not install chromium (${tail(result)})`);
console.error(`[ensure-chromium] installed in ${Math.round((Date.now() - started) / 1000)} s`);
finish(true, path);
