/** Command-line arguments of `npm run eval`, validated (a bad one is a UsageError: exit code 2). */
import { existsSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';

export class UsageError extends Error {}

export const USAGE = `usage:
  npm run eval [-- --json out.json]
      triage, knowledge-base search and resolution on the shipped data (TRIAGE_TAXONOMY_FILE, KB_DIR,
      TRIAGE_CLARIFY_THRESHOLD, KB_MATCH_THRESHOLD, REFUND_AUTO_LIMIT apply); writes eval/results/latest.json
  npm run eval -- --train a.csv [--test b.csv] [--text text] [--label category] [--per-class N] [--no-kb] [--json out.json]
      bring your own data: trains the offline triage classifier on a labeled CSV (or .jsonl/.json taxonomy)
      and scores it on --test, or on the held-out fold of a grouped split of --train; writes eval/results/byo-latest.json
      --text, --label   column names (default: text; category, or label when there is no category column)
      --per-class N     train on N examples per category only (a fixed pseudo-random pick: few-shot)
      --no-kb           do not add knowledge-base sections of matching categories as training examples`;

export interface FullArgs {
  mode: 'full';
  json?: string;
}

export interface ByoArgs {
  mode: 'byo';
  train: string;
  test?: string;
  text?: string;
  label?: string;
  perClass?: number;
  kb: boolean;
  json?: string;
}

export type EvalArgs = FullArgs | ByoArgs | { mode: 'help' };

function requireFile(flag: string, path: string): void {
  if (!existsSync(path)) throw new UsageError(`--${flag} ${path}: file not found`);
  if (!statSync(path).isFile()) throw new UsageError(`--${flag} ${path}: not a file`);
}

export function parseEvalArgs(argv: readonly string[]): EvalArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        train: { type: 'string' },
        test: { type: 'string' },
        text: { type: 'string' },
        label: { type: 'string' },
        'per-class': { type: 'string' },
        json: { type: 'string' },
        'no-kb': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    // One line: Node's first sentence, or "needs a value" for a flag followed by nothing or another flag.
    const message = (err as Error).message;
    const flag = /Option '(--[\w-]+)(?: <value>)?' argument (?:missing|is ambiguous)/.exec(message)?.[1];
    throw new UsageError(flag ? `${flag} needs a value` : message.split('\n')[0]!.split('. ')[0]!);
  }
  if (values.help) return { mode: 'help' };
  for (const flag of ['train', 'test', 'text', 'label', 'per-class', 'json'] as const) {
    const v = values[flag];
    if (v !== undefined && (v === '' || v.startsWith('--'))) throw new UsageError(`--${flag} needs a value`);
  }
  if (values.train === undefined) {
    const byoOnly = (['test', 'text', 'label', 'per-class'] as const).find((f) => values[f] !== undefined) ?? (values['no-kb'] ? 'no-kb' : undefined);
    if (byoOnly) throw new UsageError(`--${byoOnly} needs --train`);
    return { mode: 'full', json: values.json };
  }
  const perClass = values['per-class'];
  if (perClass !== undefined && !/^[1-9]\d*$/.test(perClass)) throw new UsageError(`--per-class must be a whole number ≥ 1, got "${perClass}"`);
  requireFile('train', values.train);
  if (values.test !== undefined) requireFile('test', values.test);
  return {
    mode: 'byo',
    train: values.train,
    test: values.test,
    text: values.text,
    label: values.label,
    perClass: perClass === undefined ? undefined : Number(perClass),
    kb: !values['no-kb'],
    json: values.json,
  };
}
