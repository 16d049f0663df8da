import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface DataDirLock {
  release(): void;
}

const LOCK_FILE = 'support-agents.lock';
/** Directories this process holds (a second open in the same process is refused too). */
const held = new Set<string>();

/**
 * An exclusive lock on an embedded data directory: a lock file holding our pid, created with
 * O_EXCL. A lock left by a process that no longer runs (a crash, kill -9) is taken over.
 */
export function acquireDataDirLock(dir: string): DataDirLock {
  const path = join(resolve(dir), LOCK_FILE);
  if (held.has(path)) throw new Error(`DATA_DIR ${dir} is already open in this process.`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      held.add(path);
      return {
        release() {
          if (!held.delete(path)) return;
          rmSync(path, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(path, 'utf8').trim());
      if (holder && holder !== process.pid && isAlive(holder)) {
        throw new Error(
          `DATA_DIR ${dir} is in use by process ${holder}. The embedded database serves one process; ` +
            'stop the other one, or use DATABASE_URL (PostgreSQL) to run several instances.',
          { cause: err },
        );
      }
      // Stale: its process is gone (a crash, kill -9), or it is ours from a database never closed.
      rmSync(path, { force: true });
    }
  }
  throw new Error(`Could not lock DATA_DIR ${dir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
