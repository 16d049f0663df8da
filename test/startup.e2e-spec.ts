import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

// main.ts trains the triage classifier in a worker thread while Nest loads; the model that
// comes back must be the one in-process training gives (same seed, same data).
describe('triage training in a worker thread (start-up)', () => {
  it('returns the same model as training in process', async () => {
    const { stdout } = await run(process.execPath, ['--import', './scripts/register-swc.mjs', 'test/helpers/train-in-worker.ts'], { timeout: 60_000 });
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { where: string; failures: string[]; worker: unknown[]; inProcess: unknown[] };
    expect(result.failures).toEqual([]);
    expect(result.where).toBe('worker thread');
    expect(result.worker).toEqual(result.inProcess);
  }, 70_000);
});
