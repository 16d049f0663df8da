import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface DataDirLock {
  release(): void;
}

const LOCK_FILE = 'support-agents.lock';
/** Directories this process holds (a second open in the same process is refused too). */
const held = new Set<string>();

/**
 * An exclusive lock on an embedded data directory: a lock file holding our pid, created
 * atomically (link fails if it exists). A lock left by a process that no longer runs (a crash,
 * kill -9) is taken over.
 */
export function acquireDataDirLock(dir: string): DataDirLock {
  const path = join(resolve(dir), LOCK_FILE);
  if (held.has(path)) throw new Error(`DATA_DIR ${dir} is already open in this process.`);
  // The lock appears with our pid in it (written to a private file, then hard-linked into place),
  // so no other process ever reads it empty and mistakes it for a stale one.
  const mine = `${path}.${process.pid}`;
  writeFileSync(mine, String(process.pid));
  try {
    return takeLock(dir, path, mine);
  } finally {
    rmSync(mine, { force: true });
  }
}

function takeLock(dir: string, path: string, mine: string): DataDirLock {
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      linkSync(mine, path);
      held.add(path);
      return {
        release() {
          if (!held.delete(path)) return;
          rmSync(path, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readPid(path);
      if (holder === undefined) continue; // released or taken over meanwhile: try again
      if (holder !== process.pid && isAlive(holder)) {
        throw new Error(
          `DATA_DIR ${dir} is in use by process ${holder}. The embedded database serves one process; ` +
            'stop the other one, or use DATABASE_URL (PostgreSQL) to run several instances.',
          { cause: err },
        );
      }
      // Stale: its process is gone (a crash, kill -9). Moved aside atomically, so of two processes
      // taking it over at once only one removes it; the other's rename fails and it tries again.
      const aside = `${path}.stale-${process.pid}`;
      try {
        renameSync(path, aside);
      } catch (renameError) {
        if ((renameError as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw renameError;
      }
      // If another process took the stale lock over between our read and the rename, what we moved
      // is its fresh lock: put it back (unless the path is taken again) and let the loop refuse.
      const moved = readPid(aside);
      if (moved !== holder) {
        try {
          linkSync(aside, path);
        } catch {
          // the path was taken again meanwhile; that lock stands
        }
      }
      rmSync(aside, { force: true });
    }
  }
  throw new Error(`Could not lock DATA_DIR ${dir}`);
}

function readPid(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) ? pid : 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function isAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
