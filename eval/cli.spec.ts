import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEvalArgs, UsageError } from './cli.js';
import { citedArticle } from './resolution.eval.js';

describe('parseEvalArgs', () => {
  let dir: string;
  let train: string;
  let test: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'eval-cli-'));
    train = join(dir, 'a.csv');
    test = join(dir, 'b.csv');
    writeFileSync(train, 'text,category\nx,a\n');
    writeFileSync(test, 'text,category\ny,b\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const usage = (argv: string[]): string => {
    try {
      parseEvalArgs(argv);
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      return (err as Error).message;
    }
    throw new Error(`no UsageError for ${argv.join(' ')}`);
  };

  it('runs the full evaluation without BYO flags, with an optional --json path', () => {
    expect(parseEvalArgs([])).toEqual({ mode: 'full', json: undefined });
    expect(parseEvalArgs(['--json', 'out.json'])).toEqual({ mode: 'full', json: 'out.json' });
    expect(parseEvalArgs(['--help'])).toEqual({ mode: 'help' });
  });

  it('reads the BYO flags', () => {
    expect(parseEvalArgs(['--train', train, '--test', test, '--text', 'utterance', '--label', 'intent', '--per-class', '10', '--no-kb', '--json', 'x.json'])).toEqual({
      mode: 'byo', train, test, text: 'utterance', label: 'intent', perClass: 10, kb: false, json: 'x.json',
    });
    expect(parseEvalArgs([`--train=${train}`])).toEqual({
      mode: 'byo', train, test: undefined, text: undefined, label: undefined, perClass: undefined, kb: true, json: undefined,
    });
  });

  it('rejects unknown flags, stray arguments and flags without a value, in one line', () => {
    expect(usage(['--trian', train])).toBe("Unknown option '--trian'");
    expect(usage(['stray'])).toBe("Unexpected argument 'stray'");
    expect(usage(['--train'])).toBe('--train needs a value');
    expect(usage(['--train', '--test', test])).toBe('--train needs a value');
    expect(usage([`--json=`])).toBe('--json needs a value');
    expect(usage(['--train', train, '--per-class', '0'])).toBe('--per-class must be a whole number ≥ 1, got "0"');
    expect(usage(['--train', train, '--per-class', 'ten'])).toBe('--per-class must be a whole number ≥ 1, got "ten"');
  });

  it('rejects missing files and BYO flags without --train', () => {
    expect(usage(['--train', join(dir, 'missing.csv')])).toBe(`--train ${join(dir, 'missing.csv')}: file not found`);
    expect(usage(['--train', train, '--test', dir])).toBe(`--test ${dir}: not a file`);
    expect(usage(['--test', test])).toBe('--test needs --train');
    expect(usage(['--label', 'intent'])).toBe('--label needs --train');
    expect(usage(['--no-kb'])).toBe('--no-kb needs --train');
    expect(usage(['--per-class', '5'])).toBe('--per-class needs --train');
  });
});

describe('citedArticle', () => {
  it('reads the article from the notes, else from the reply', () => {
    expect(citedArticle({ resolution_notes: 'Used KB article kb-0001 (match 0.8, score 12). Also relevant: kb-0002.', resolution_reply: '… (kb-0009) …' })).toBe('kb-0001');
    expect(citedArticle({ resolution_notes: 'Used KB article kb-0042.', resolution_reply: '' })).toBe('kb-0042');
    expect(citedArticle({ resolution_notes: 'answered', resolution_reply: 'from our help article "Refunds" (kb-0026):' })).toBe('kb-0026');
    expect(citedArticle({ resolution_notes: 'Escalated.', resolution_reply: 'A person will contact you (soon).' })).toBeNull();
  });
});
