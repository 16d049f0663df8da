import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireDataDirLock } from './data-dir-lock.js';

describe('acquireDataDirLock', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'lock-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('holds the directory with our pid until released', () => {
    const lock = acquireDataDirLock(dir);
    expect(readFileSync(join(dir, 'support-agents.lock'), 'utf8')).toBe(String(process.pid));
    expect(() => acquireDataDirLock(dir)).toThrow(/already open in this process/);
    lock.release();
    expect(existsSync(join(dir, 'support-agents.lock'))).toBe(false);
    acquireDataDirLock(dir).release();
  });

  it('refuses a directory held by another live process, naming it and the way out', () => {
    // pid 1 (init) is always alive.
    writeFileSync(join(dir, 'support-agents.lock'), '1');
    expect(() => acquireDataDirLock(dir)).toThrow(/in use by process 1.*DATABASE_URL/s);
  });

  it('takes over a lock left by a process that is gone', () => {
    writeFileSync(join(dir, 'support-agents.lock'), '2147483646');
    const lock = acquireDataDirLock(dir);
    expect(readFileSync(join(dir, 'support-agents.lock'), 'utf8')).toBe(String(process.pid));
    lock.release();
  });
});
