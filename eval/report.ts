/** Console tables for the evaluation (plain text, aligned; Markdown-like headings). */
import { topConfusions, worstClasses, type Calibration, type ClassificationReport } from './metrics.js';

export const pct = (x: number | null | undefined, digits = 1): string => (x === null || x === undefined ? '–' : `${(x * 100).toFixed(digits)}%`);
export const ms = (x: number): string => `${x < 10 ? x.toFixed(2) : x.toFixed(0)} ms`;

/** Columns separated by two spaces; the first left-aligned, the others right-aligned. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) => r.map((v, c) => (c === 0 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join('  ').trimEnd();
  return [line(cells[0]!), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}

export interface ClassificationPrintOptions {
  /** Above this many classes, print only the `worst` classes by F1 (all are in the JSON). */
  maxClasses?: number;
  worst?: number;
  /** Above this many classes, print the top confusions instead of the matrix. */
  maxMatrix?: number;
  topConfusions?: number;
}

export function printClassification(title: string, r: ClassificationReport, opts: ClassificationPrintOptions = {}): void {
  const { maxClasses = 20, worst = 15, maxMatrix = 10, topConfusions: top = 15 } = opts;
  console.log(`\n### ${title}: accuracy ${pct(r.accuracy)}, macro-F1 ${pct(r.macro_f1)} (${r.n} examples)`);
  const shown = r.labels.length > maxClasses ? worstClasses(r, worst) : r.labels;
  if (shown.length < r.labels.length) console.log(`${r.labels.length} classes: the ${shown.length} with the lowest F1 (all in the JSON)`);
  console.log(table(['class', 'precision', 'recall', 'F1', 'support'], shown.map((l) => {
    const c = r.per_class[l]!;
    return [l, pct(c.precision), pct(c.recall), pct(c.f1), c.support];
  })));
  if (r.labels.length <= maxMatrix) {
    console.log('\nconfusion (rows: true class, columns: predicted)');
    console.log(table(['', ...r.labels], r.labels.map((g) => [g, ...r.labels.map((p) => r.confusion[g]![p]!)])));
  } else {
    const cells = topConfusions(r, top);
    console.log(`\ntop ${cells.length} confusions (true → predicted)`);
    console.log(table(['true class', 'predicted', 'count'], cells.map((c) => [c.gold, c.predicted, c.count])));
  }
}

export function printCalibration(title: string, c: Calibration): void {
  console.log(
    `\n### ${title}: ECE ${pct(c.ece)}, MCE ${pct(c.mce)}; mean confidence ${pct(c.mean_confidence)} vs accuracy ${pct(c.accuracy)} (${c.n} examples)`,
  );
  console.log(table(['confidence', 'count', 'mean conf.', 'accuracy', 'acc − conf'], c.reliability.map((b) => [
    `${b.lower.toFixed(1)}-${b.upper.toFixed(1)}`,
    b.count,
    pct(b.mean_confidence),
    pct(b.accuracy),
    b.count ? `${b.accuracy! >= b.mean_confidence! ? '+' : ''}${((b.accuracy! - b.mean_confidence!) * 100).toFixed(1)}` : '',
  ])));
}
