/**
 * Run by test/startup.e2e-spec.ts in a child process (with the swc loader): trains the triage
 * model in the worker thread as main.ts does, and in process, and prints both models' answers.
 */
import { readArticleDir } from '../../src/knowledge-base/article-files.js';
import { prestartTriageTraining, trainingSource } from '../../src/triage/triage-training.prestart.js';
import { trainTriage, triageModelFor } from '../../src/triage/triage-training.js';

const source = trainingSource({ KB_DIR: 'data/kb', TRIAGE_CLARIFY_THRESHOLD: 0.45, TRIAGE_TAXONOMY_FILE: undefined });
const articles = readArticleDir(source.kbDir);
prestartTriageTraining(source);
const failures: string[] = [];
const fromWorker = await triageModelFor(source, articles, (err) => failures.push(err.message));
const inProcess = trainTriage(source, articles);
const texts = ['I was charged twice for my plan this month', 'The app crashes when I upload a photo', 'Do you have a student discount?', 'help'];
console.log(
  JSON.stringify({
    where: fromWorker.where,
    failures,
    worker: texts.map((t) => fromWorker.model.explain(t)),
    inProcess: texts.map((t) => inProcess.model.explain(t)),
  }),
);
