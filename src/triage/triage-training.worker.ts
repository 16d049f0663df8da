/** Worker thread entry (see prestartTriageTraining): trains, then transfers the model's arrays. */
import { parentPort, workerData } from 'node:worker_threads';
import { readArticleDir } from '../knowledge-base/article-files.js';
import { trainTriage } from './triage-training.js';
import type { TrainingSource, WorkerResult } from './triage-training.prestart.js';

const source = workerData as TrainingSource;
const { model, articleSections, ms } = trainTriage(source, readArticleDir(source.kbDir));
const serialized = model.serialize();
const buffers = [serialized.categories, serialized.priorities].flatMap((c) => (c ? [c.weights.buffer, c.bias.buffer, c.idf.buffer] : []));
parentPort!.postMessage({ model: serialized, articleSections, ms } satisfies WorkerResult, buffers as ArrayBuffer[]);
