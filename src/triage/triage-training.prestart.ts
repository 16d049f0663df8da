import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Env } from '../config/configuration.js';
import type { SerializedTriageModel } from './triage-model.js';

/**
 * The part of triage training main.ts needs before Nest loads: light on purpose (no zod, no
 * classifier code), since everything it imports delays start-up.
 */
export const DEFAULT_TAXONOMY = 'data/triage/taxonomy.json';

/** What the offline triage model is trained from. */
export interface TrainingSource {
  taxonomyFile: string;
  kbDir: string;
  clarifyThreshold: number;
}

export function trainingSource(env: Pick<Env, 'TRIAGE_TAXONOMY_FILE' | 'KB_DIR' | 'TRIAGE_CLARIFY_THRESHOLD'>): TrainingSource {
  return { taxonomyFile: resolve(env.TRIAGE_TAXONOMY_FILE ?? DEFAULT_TAXONOMY), kbDir: resolve(env.KB_DIR), clarifyThreshold: env.TRIAGE_CLARIFY_THRESHOLD };
}

export interface WorkerResult {
  model: SerializedTriageModel;
  articleSections: number;
  ms: number;
}

let prestarted: { key: string; result: Promise<WorkerResult> } | undefined;

/**
 * Starts training in a worker thread before Nest is even loaded (main.ts), so it runs on the
 * other core while the modules load (≈ 2 s) instead of after them. The worker reads the same
 * taxonomy and KB_DIR files the service does.
 */
export function prestartTriageTraining(source: TrainingSource): void {
  // From source (scripts and tests run TypeScript through a loader the worker inherits) the
  // entry is the .ts file; from dist/ it is the compiled .js.
  const entry = `./triage-training.worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`;
  const worker = new Worker(new URL(entry, import.meta.url), { workerData: source });
  const result = new Promise<WorkerResult>((resolveResult, reject) => {
    worker.once('message', resolveResult);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`training worker exited with code ${code}`)));
  });
  result.catch(() => undefined); // observed by takePrestartedTraining; never an unhandled rejection
  prestarted = { key: JSON.stringify(source), result };
}

/** The pre-started training of this source, once (undefined if none or another source). */
export function takePrestartedTraining(source: TrainingSource): Promise<WorkerResult> | undefined {
  const pending = prestarted?.key === JSON.stringify(source) ? prestarted.result : undefined;
  prestarted = undefined;
  return pending;
}
