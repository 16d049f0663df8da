/**
 * Speed and scaling benchmark of the offline text classifier (src/triage/classifier):
 *   node --import ./scripts/register-swc.mjs bench/classifier.ts [--repeat N] [--epochs N] [--no-cal]
 *
 * 1. A deterministic SYNTHETIC BANKING77-shaped task: 77 intents, 10,003 train / 3,080 test
 *    texts of ~8-16 words. Each intent is an (object, action) pair such as (card, arrival);
 *    intents share objects and actions with each other, objects and actions share synonyms,
 *    texts come from paraphrase templates with filler words, and some carry typos, a confusable
 *    object synonym or a vague action. Reports training time (with and without the temperature
 *    calibration), prediction latency (mean / p99, vectorisation included, one core), accuracy
 *    and model memory.
 *    The accuracy on this synthetic set is NOT a claim about BANKING77 (not available offline;
 *    published TF-IDF + linear models reach ≈ 91-92% there): it is a sanity check, and a way to
 *    see that a speed change does not cost accuracy.
 * 2. Training time on the shipped data: the taxonomy's examples alone, and the whole start-up
 *    training (TriageModel: category classifier + knowledge-base sections + priority classifier).
 */
import { pathToFileURL } from 'node:url';
import { seededRandom } from '../src/triage/classifier/softmax-regression.js';
import { TextClassifier, type LabeledText } from '../src/triage/classifier/text-classifier.js';
import { examplesFromArticles, loadTaxonomy } from '../src/triage/taxonomy.js';
import { TriageModel } from '../src/triage/triage-model.js';
import { readArticleDir } from '../src/knowledge-base/article-files.js';
import { median } from './in-process.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const num = (name: string, dflt: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const REPEAT = num('--repeat', 1);
const EPOCHS = args.includes('--epochs') ? num('--epochs', 0) : undefined;

// ---------------------------------------------------------------- synthetic data set

/** Objects with synonyms; some synonyms are shared by two objects (confusable). */
const OBJECTS: string[][] = [
  ['card', 'debit card', 'bank card', 'plastic card'],
  ['virtual card', 'online card', 'disposable card', 'digital card'],
  ['transfer', 'bank transfer', 'wire', 'money transfer', 'payment to a friend'],
  ['top up', 'top-up', 'topup', 'deposit', 'money I added'],
  ['cash withdrawal', 'atm withdrawal', 'cash from the atm', 'withdrawal'],
  ['exchange rate', 'conversion rate', 'currency exchange', 'fx rate'],
  ['pin', 'pin code', 'passcode', 'card pin'],
  ['refund', 'money back', 'reimbursement', 'return of funds'],
  ['direct debit', 'standing order', 'recurring payment', 'subscription payment'],
  ['card payment', 'purchase', 'shop payment', 'payment at the store'],
  ['identity check', 'verification', 'id verification', 'proof of identity'],
  ['balance', 'account balance', 'available funds', 'money in my account'],
  ['account', 'profile', 'user account', 'personal details'],
  ['apple pay', 'google pay', 'contactless', 'phone payment'],
  ['fee', 'charge', 'extra charge', 'commission'],
  ['beneficiary', 'recipient', 'payee', 'receiver'],
  ['statement', 'transaction history', 'bank statement', 'activity list'],
  ['cheque', 'check deposit', 'paper cheque', 'check'],
  ['crypto', 'cryptocurrency', 'bitcoin', 'crypto wallet'],
  ['salary', 'wage payment', 'paycheck', 'incoming payment'],
];

/** Actions: phrases to slot into templates ({o} = object); some phrases are shared. */
const ACTIONS: string[][] = [
  ["my {o} hasn't arrived yet", 'still waiting for my {o}', 'when will my {o} arrive', '{o} has not shown up', 'where is my {o}'],
  ['my {o} is not working', "{o} doesn't work", '{o} got declined', '{o} was rejected', 'problem using my {o}'],
  ['my {o} is still pending', '{o} pending for days', 'why is the {o} pending', '{o} stuck on pending', 'still waiting for my {o} to go through'],
  ['cancel my {o}', 'I want to cancel the {o}', 'stop the {o}', 'undo the {o}', 'reverse the {o}'],
  ['how do I get a {o}', 'can I order a {o}', 'how to set up {o}', 'I need a new {o}', 'requirements for {o}'],
  ['what is the limit on {o}', 'maximum amount for {o}', 'is there a cap on {o}', 'how much can I do with {o}', 'limits for {o}'],
  ['I was charged for my {o}', 'why is there a fee on my {o}', 'extra charge on the {o}', 'the {o} cost me money', 'charged twice for {o}'],
  ['my {o} was stolen', 'I lost my {o}', "can't find my {o}", '{o} is missing', 'someone took my {o}'],
  ['wrong amount on my {o}', 'the {o} amount is incorrect', '{o} shows the wrong amount', 'I got less from the {o}', 'the {o} is off'],
  ['my {o} failed', '{o} did not go through', '{o} was reverted', '{o} bounced back', 'error with my {o}'],
  ['change my {o}', 'update the {o}', 'edit my {o}', 'I need to modify my {o}', 'reset the {o}'],
  ['which countries support {o}', 'can I use {o} abroad', '{o} in another country', 'is {o} available overseas', 'using {o} while travelling'],
];

const VAGUE = ['something is wrong with my {o}', 'question about my {o}', 'help with my {o}', 'issue with the {o}', 'my {o} is weird'];
const OPENERS = ['', '', '', 'hi', 'hello', 'hey', 'please help', 'excuse me', 'good morning', 'hi there', 'sorry to bother you'];
const MIDDLES = ['', '', 'i think', 'i noticed that', 'it seems', 'can you check why', 'i need to know', 'could you tell me'];
const CLOSERS = ['', '', '', 'thanks', 'thank you', 'asap', 'today', 'this morning', 'in the app', 'from my phone', 'since yesterday', 'last week', 'on my account', 'please advise', 'it is urgent', 'for my trip'];

const N_CLASSES = 77;
const N_TRAIN = 10_003;
const N_TEST = 3_080;

interface Intent {
  object: number;
  action: number;
}

function intents(rand: () => number): Intent[] {
  const all: Intent[] = [];
  for (let o = 0; o < OBJECTS.length; o++) for (let a = 0; a < ACTIONS.length; a++) all.push({ object: o, action: a });
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all.slice(0, N_CLASSES);
}

function typo(word: string, rand: () => number): string {
  if (word.length < 4) return word;
  const i = 1 + Math.floor(rand() * (word.length - 2));
  const r = rand();
  if (r < 0.33) return word.slice(0, i) + word.slice(i + 1); // deletion
  if (r < 0.66) return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2); // swap
  return word.slice(0, i) + word[i] + word.slice(i); // duplication
}

function text(intent: Intent, rand: () => number): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  // Confusable object: a synonym of a random object (6%); vague action (5%).
  const object = rand() < 0.06 ? pick(OBJECTS) : OBJECTS[intent.object]!;
  const phrase = rand() < 0.05 ? pick(VAGUE) : pick(ACTIONS[intent.action]!);
  const parts = [pick(OPENERS), pick(MIDDLES), phrase.replace('{o}', pick(object)), pick(CLOSERS)];
  if (rand() < 0.5) parts.push(pick(CLOSERS));
  const words = parts.filter(Boolean).join(' ').split(' ');
  return words.map((w) => (rand() < 0.05 ? typo(w, rand) : w)).join(' ');
}

export function syntheticSet(seed = 77): { train: LabeledText[]; test: LabeledText[] } {
  const rand = seededRandom(seed);
  const classes = intents(rand);
  const label = (c: number) => `intent_${String(c).padStart(2, '0')}`;
  // Imbalanced like BANKING77's training split (35-187 per class), balanced test (40 per class).
  const weights = classes.map(() => 0.3 + rand());
  const total = weights.reduce((s, w) => s + w, 0);
  const perClass = weights.map((w) => Math.max(35, Math.floor((w / total) * N_TRAIN)));
  let extra = N_TRAIN - perClass.reduce((s, n) => s + n, 0);
  for (let c = 0; extra !== 0; c = (c + 1) % N_CLASSES) {
    const d = extra > 0 ? 1 : perClass[c]! > 35 ? -1 : 0;
    perClass[c]! += d;
    extra -= d;
  }
  const train: LabeledText[] = [];
  const test: LabeledText[] = [];
  classes.forEach((intent, c) => {
    for (let i = 0; i < perClass[c]!; i++) train.push({ text: text(intent, rand), label: label(c) });
    for (let i = 0; i < N_TEST / N_CLASSES; i++) test.push({ text: text(intent, rand), label: label(c) });
  });
  // Shuffle the training order (the classifier shuffles too, but folds follow input order).
  for (let i = train.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [train[i], train[j]] = [train[j]!, train[i]!];
  }
  return { train, test };
}

// ---------------------------------------------------------------- measurement

const ms = (t: number) => `${t.toFixed(0)} ms`;

function timeTrain(train: () => TextClassifier): { model: TextClassifier; ms: number } {
  const times: number[] = [];
  let model: TextClassifier | undefined;
  for (let r = 0; r < REPEAT; r++) {
    const t0 = performance.now();
    model = train();
    times.push(performance.now() - t0);
  }
  return { model: model!, ms: median(times) };
}

function evaluate(model: TextClassifier, test: LabeledText[]) {
  for (const e of test.slice(0, 500)) model.predict(e.text); // warm-up
  const lat: number[] = [];
  let correct = 0;
  let confidence = 0;
  for (const e of test) {
    const t0 = performance.now();
    const p = model.predict(e.text);
    lat.push((performance.now() - t0) * 1000);
    if (p.label === e.label) correct++;
    confidence += p.confidence;
  }
  lat.sort((a, b) => a - b);
  return {
    accuracy: correct / test.length,
    meanConfidence: confidence / test.length,
    meanUs: lat.reduce((s, v) => s + v, 0) / lat.length,
    p99Us: lat[Math.floor(lat.length * 0.99)]!,
  };
}

export interface ClassifierBench {
  train_ms: number;
  train_calibrated_ms?: number;
  accuracy: number;
  mean_confidence?: number;
  predict_mean_us: number;
  predict_p99_us: number;
  memory_mib: number;
  shipped_train_ms: number;
  startup_training_ms?: number;
}

/** Runs the benchmark, prints it, and returns the numbers (for npm run bench). */
export async function classifierBench(): Promise<ClassifierBench> {
  const { train, test } = syntheticSet();
  const avgWords = train.reduce((s, e) => s + e.text.split(' ').length, 0) / train.length;
  console.log(`# Text classifier benchmark (synthetic data: accuracy is a sanity check, NOT a BANKING77 result)`);
  console.log(`synthetic: ${N_CLASSES} classes, ${train.length} train / ${test.length} test, ${avgWords.toFixed(1)} words per text on average; e.g. "${train[0]!.text}"`);
  const epochOpt = EPOCHS === undefined ? {} : { epochs: EPOCHS };

  const raw = timeTrain(() => TextClassifier.train(train, { ...epochOpt, calibrationFolds: 0 }));
  const rawEval = evaluate(raw.model, test);
  console.log(`\ntrain without calibration: ${ms(raw.ms)}${REPEAT > 1 ? ` (median of ${REPEAT})` : ''}`);
  console.log(`accuracy ${(rawEval.accuracy * 100).toFixed(2)}%, mean confidence ${(rawEval.meanConfidence * 100).toFixed(1)}% (T = 1)`);
  console.log(`predict: mean ${rawEval.meanUs.toFixed(1)} µs, p99 ${rawEval.p99Us.toFixed(1)} µs`);
  console.log(`model memory: ${(raw.model.memoryBytes / 2 ** 20).toFixed(1)} MiB (weights + idf)`);
  const result: ClassifierBench = {
    train_ms: raw.ms,
    accuracy: rawEval.accuracy,
    predict_mean_us: rawEval.meanUs,
    predict_p99_us: rawEval.p99Us,
    memory_mib: raw.model.memoryBytes / 2 ** 20,
    shipped_train_ms: 0,
  };

  if (!flag('--no-cal')) {
    const cal = timeTrain(() => TextClassifier.train(train, epochOpt));
    const calEval = evaluate(cal.model, test);
    console.log(`\ntrain with calibration: ${ms(cal.ms)}${REPEAT > 1 ? ` (median of ${REPEAT})` : ''}, temperature ${cal.model.temperature}`);
    console.log(`accuracy ${(calEval.accuracy * 100).toFixed(2)}%, mean confidence ${(calEval.meanConfidence * 100).toFixed(1)}%`);
    console.log(`predict: mean ${calEval.meanUs.toFixed(1)} µs, p99 ${calEval.p99Us.toFixed(1)} µs`);
    Object.assign(result, { train_calibrated_ms: cal.ms, accuracy: calEval.accuracy, mean_confidence: calEval.meanConfidence, predict_mean_us: calEval.meanUs, predict_p99_us: calEval.p99Us });
  }

  // ---------------------------------------------------------------- shipped data

  const taxonomy = loadTaxonomy('data/triage/taxonomy.json');
  const shipped = taxonomy.examples.map((e) => ({ text: e.text, label: e.category }));
  const small = timeTrain(() => TextClassifier.train(shipped));
  console.log(`\nshipped taxonomy: ${shipped.length} examples, ${small.model.classes.length} classes: train ${ms(small.ms)} (with calibration)`);
  result.shipped_train_ms = small.ms;

  // Whole start-up training as the triage agent does it (+ knowledge-base sections, + priority).
  try {
    const articles = readArticleDir('data/kb');
    const sections = examplesFromArticles(articles, taxonomy.categories.map((c) => c.name));
    const times: number[] = [];
    for (let r = 0; r < Math.max(3, REPEAT); r++) {
      const t0 = performance.now();
      TriageModel.train(taxonomy.examples, { clarifyThreshold: 0.5 }, sections);
      times.push(performance.now() - t0);
    }
    console.log(`start-up training (TriageModel: + ${sections.length} KB sections, + priority classifier): ${ms(median(times))} (median of ${times.length}; first ${ms(times[0]!)})`);
    result.startup_training_ms = median(times);
  } catch (err) {
    console.log(`start-up training: skipped (${(err as Error).message})`);
  }
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) await classifierBench();
