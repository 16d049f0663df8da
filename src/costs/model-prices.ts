/** US dollars per million tokens, for input (prompt) and output (completion) tokens. */
export interface ModelPrice {
  input: number;
  output: number;
}

export interface TokenCounts {
  inputTokens: number;
  outputTokens: number;
}

/**
 * Built-in list prices of common OpenAI models (USD per 1M tokens, standard tier, as published
 * by OpenAI in 2025-08). They are estimates: cached-input discounts, batch and priority tiers are
 * not applied, and prices change; set MODEL_PRICES to override or add models.
 */
export const DEFAULT_PRICES_AS_OF = '2025-08';
export const DEFAULT_MODEL_PRICES: Readonly<Record<string, ModelPrice>> = {
  'gpt-5': { input: 1.25, output: 10 },
  'gpt-5-mini': { input: 0.25, output: 2 },
  'gpt-5-nano': { input: 0.05, output: 0.4 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  o3: { input: 2, output: 8 },
  'o4-mini': { input: 1.1, output: 4.4 },
};

/** A price above this per million tokens is a typo (the dearest models cost a few hundred). */
const MAX_PRICE = 10_000;
const MODEL_NAME = /^[A-Za-z0-9._:/@-]{1,128}$/;
const NUMBER = /^\d+(\.\d+)?$/;

/**
 * Parses MODEL_PRICES: `model=input/output,...` in USD per million tokens, e.g.
 * `gpt-4.1-mini=0.4/1.6,my-llama=0/0`. Every bad entry is reported by position and text, so
 * start-up fails with a message that says which one to fix.
 */
export function parseModelPrices(raw: string | undefined): { prices: Map<string, ModelPrice>; errors: string[] } {
  const prices = new Map<string, ModelPrice>();
  const errors: string[] = [];
  if (!raw?.trim()) return { prices, errors };
  for (const [i, part] of raw.split(',').entries()) {
    const entry = part.trim();
    const at = `entry ${i + 1} "${entry.slice(0, 80)}"`;
    if (!entry) {
      errors.push(`entry ${i + 1} is empty (expected model=input/output)`);
      continue;
    }
    const eq = entry.indexOf('=');
    if (eq < 0) {
      errors.push(`${at}: expected model=input/output (USD per million tokens)`);
      continue;
    }
    const model = entry.slice(0, eq).trim();
    const [input, output, extra] = entry
      .slice(eq + 1)
      .split('/')
      .map((s) => s.trim());
    if (!MODEL_NAME.test(model)) {
      errors.push(`${at}: the model name must be 1-128 letters, digits or . _ : / @ -`);
      continue;
    }
    if (input === undefined || output === undefined || extra !== undefined || !NUMBER.test(input) || !NUMBER.test(output)) {
      errors.push(`${at}: prices must be two non-negative numbers, input/output (e.g. ${model}=0.4/1.6)`);
      continue;
    }
    const price = { input: Number(input), output: Number(output) };
    if (price.input > MAX_PRICE || price.output > MAX_PRICE) {
      errors.push(`${at}: a price above ${MAX_PRICE} USD per million tokens is not plausible`);
      continue;
    }
    if (prices.has(model)) {
      errors.push(`${at}: model "${model}" is priced twice`);
      continue;
    }
    prices.set(model, price);
  }
  return { prices, errors };
}

/**
 * The price of a model: MODEL_PRICES first, then the built-in list; a dated snapshot name
 * (`gpt-4.1-mini-2025-04-14`) falls back to its base name. Undefined: not priced (cost counts 0).
 */
export function priceFor(model: string, configured: ReadonlyMap<string, ModelPrice>): ModelPrice | undefined {
  const base = model.replace(/-\d{4}-\d{2}-\d{2}$/, '');
  return configured.get(model) ?? configured.get(base) ?? DEFAULT_MODEL_PRICES[model] ?? DEFAULT_MODEL_PRICES[base];
}

/** Estimated cost in USD, rounded to a millionth of a dollar (sums of many small calls stay exact enough). */
export function costOf(tokens: TokenCounts, price: ModelPrice | undefined): number {
  if (!price) return 0;
  const usd = (tokens.inputTokens * price.input + tokens.outputTokens * price.output) / 1_000_000;
  return Math.round(usd * 1_000_000) / 1_000_000;
}
