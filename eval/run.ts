/**
 * `npm run eval`: offline quality on the shipped data (method and latest numbers in
 * docs/EVALUATION.md), or `npm run eval -- --train a.csv [--test b.csv]` on your own data.
 *  1. Triage: held-out fold of a grouped split + 5-fold cross-validation (triage.eval.ts).
 *  2. Knowledge-base search: query set, and labeled inquiries (search.eval.ts).
 *  3. Resolution: scenario set through the real offline agents, and labeled inquiries with
 *     cross-validated triage (resolution.eval.ts).
 *  4. Guardrails: precision/recall per detector on test/fixtures/guardrails/ (guardrails.ts).
 * Writes eval/results/latest.json (byo-latest.json in BYO mode), or the --json path.
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { KbSearch } from '../src/knowledge-base/kb-search.js';
import { loadConfig, type AppConfig } from '../src/config/configuration.js';
import { examplesFromArticles, loadTaxonomy, type TriageExample } from '../src/triage/taxonomy.js';
import type { TriageExplanation } from '../src/triage/triage-model.js';
import { printByo, runByo } from './byo.js';
import { parseEvalArgs, USAGE, UsageError } from './cli.js';
import { KbQuerySchema, loadArticles, loadRelevanceLabels, optionalJsonl, ResolutionScenarioSchema } from './datasets.js';
import { evaluateProposals, printProposals } from './actions.eval.js';
import { evaluateGuardrails, printGuardrails } from './guardrails.js';
import { roundDeep } from './metrics.js';
import { offlineService } from './offline-service.js';
import { evaluateInquiryResolution, evaluateScenarios, printInquiryResolution, printScenarios } from './resolution.eval.js';
import { evaluateInquirySearch, evaluateQuerySet, printInquirySearch, printQuerySet } from './search.eval.js';
import { evaluateTriage, printTriage } from './triage.eval.js';

const DEFAULT_TAXONOMY = 'data/triage/taxonomy.json';
const EVAL_DATA = 'data/eval';
const KB_QUERIES = join(EVAL_DATA, 'kb-queries.jsonl');
const SCENARIOS = join(EVAL_DATA, 'resolution-scenarios.jsonl');
const RESULTS = 'eval/results/latest.json';
const BYO_RESULTS = 'eval/results/byo-latest.json';

/** Paths inside the project relative to it (stable across clones), others absolute. */
const rel = (path: string) => {
  const r = relative(process.cwd(), resolve(path));
  return r.startsWith('..') ? resolve(path) : r || '.';
};

function writeResults(path: string, results: object): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(roundDeep({ generated_at: new Date().toISOString(), ...results }), null, 2)}\n`);
  console.log(`\nwrote ${path}`);
}

async function full(config: AppConfig, json: string | undefined): Promise<void> {
  const started = performance.now();
  const env = config.env;
  let taxonomy;
  let articles;
  try {
    taxonomy = loadTaxonomy(resolve(env.TRIAGE_TAXONOMY_FILE ?? DEFAULT_TAXONOMY));
    articles = loadArticles(env.KB_DIR);
  } catch (err) {
    // A bad TRIAGE_TAXONOMY_FILE or KB_DIR is the user's input: one line, exit code 2.
    throw new UsageError((err as Error).message.split('\n')[0]!);
  }
  const articleIds = new Set(articles.map((a) => a.id));
  const articleExamples = examplesFromArticles(articles, taxonomy.categories.map((c) => c.name));
  console.log(`# Offline evaluation\n\ntaxonomy ${rel(taxonomy.source)} (${taxonomy.categories.length} categories), knowledge base ${rel(env.KB_DIR)} (${articles.length} articles)`);

  // 1. Triage
  const triage = evaluateTriage(taxonomy, articleExamples, env.TRIAGE_CLARIFY_THRESHOLD);
  printTriage(triage.result, env.TRIAGE_CLARIFY_THRESHOLD);

  // 2. Search
  const kb = new KbSearch();
  for (const a of articles) kb.upsert(a);
  const queries = optionalJsonl(KB_QUERIES, KbQuerySchema, { ids: articleIds, of: (q) => q.relevant });
  const querySet = queries ? evaluateQuerySet(kb, rel(KB_QUERIES), queries) : null;
  if (querySet) printQuerySet(querySet);
  else console.log(`\n## Knowledge-base search: query set\nskipped: ${KB_QUERIES} not found`);
  const relevance = loadRelevanceLabels(EVAL_DATA, articleIds);
  const inquirySearch = taxonomy.examples.some((e) => e.id && relevance.labels.has(e.id))
    ? evaluateInquirySearch(kb, taxonomy.examples, relevance.labels)
    : null;
  if (inquirySearch) printInquirySearch(inquirySearch.result);
  else console.log(`\n## Labeled inquiries\nskipped: no ${EVAL_DATA}/kb-relevance-*.jsonl label matches these examples' ids`);

  // 3. Resolution
  const scenarios = optionalJsonl(SCENARIOS, ResolutionScenarioSchema, { ids: articleIds, of: (s) => s.cite });
  const service = scenarios ? await offlineService(process.env) : null;
  const scenarioResult = service && scenarios ? await evaluateScenarios(service, rel(SCENARIOS), scenarios) : null;
  await service?.close();
  if (scenarioResult) printScenarios(scenarioResult, env.KB_MATCH_THRESHOLD);
  else console.log(`\n## Resolution: scenario set\nskipped: ${SCENARIOS} not found`);
  const predictions = new Map<TriageExample, TriageExplanation>(taxonomy.examples.map((e, i) => [e, triage.predictions[i]!]));
  const inquiryResolution = inquirySearch
    ? evaluateInquiryResolution(taxonomy.examples, predictions, inquirySearch.hits, relevance.labels, {
        matchThreshold: env.KB_MATCH_THRESHOLD,
        refundLimit: env.REFUND_AUTO_LIMIT,
      })
    : null;
  if (inquiryResolution) printInquiryResolution(inquiryResolution);

  // 4. Guardrails
  const guardrails = evaluateGuardrails({ maxChars: env.GUARDRAIL_MAX_TEXT_CHARS, threshold: env.GUARDRAIL_INJECTION_THRESHOLD });
  printGuardrails(guardrails);

  // 5. Account-action proposals (how often the offline policy would ask a person to approve one)
  const proposals = evaluateProposals(
    [
      ...taxonomy.examples.map((e) => ({ source: e.id ?? 'inquiry', text: e.text })),
      ...(scenarios ?? []).map((s) => ({ source: s.id, text: s.inquiry })),
    ],
    { currency: env.ACCOUNT_CURRENCY, refundMax: env.ACTION_REFUND_MAX },
  );
  printProposals(proposals);

  const seconds = (performance.now() - started) / 1000;
  console.log(`\nEvaluation took ${seconds.toFixed(1)} s.`);
  writeResults(json ?? RESULTS, {
    command: 'npm run eval',
    config: {
      taxonomy: rel(taxonomy.source),
      kb_dir: rel(env.KB_DIR),
      clarify_threshold: env.TRIAGE_CLARIFY_THRESHOLD,
      kb_match_threshold: env.KB_MATCH_THRESHOLD,
      refund_auto_limit: env.REFUND_AUTO_LIMIT,
      data: {
        kb_queries: querySet ? querySet.file : null,
        resolution_scenarios: scenarioResult ? scenarioResult.file : null,
        kb_relevance: relevance.files.map(rel),
      },
    },
    triage: triage.result,
    knowledge_base: { query_set: querySet, inquiries: inquirySearch?.result ?? null },
    resolution: { scenarios: scenarioResult, inquiries: inquiryResolution },
    guardrails,
    action_proposals: proposals,
    run_seconds: seconds,
  });
}

async function main(argv: string[]): Promise<void> {
  const args = parseEvalArgs(argv);
  if (args.mode === 'help') {
    console.log(USAGE);
    return;
  }
  let config: AppConfig;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\n\s*/g, ' '));
  }
  if (args.mode === 'full') return full(config, args.json);
  const result = runByo(args, { clarifyThreshold: config.env.TRIAGE_CLARIFY_THRESHOLD, kbDir: config.env.KB_DIR });
  printByo(result);
  writeResults(args.json ?? BYO_RESULTS, { command: `npm run eval -- ${argv.join(' ')}`, ...result });
}

// `npm run eval | head` closes the pipe early: stop quietly instead of an EPIPE stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError) {
    console.error(`eval: ${err.message}`);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
