import { DEFAULT_MODEL_PRICES, costOf, parseModelPrices, priceFor } from './model-prices.js';

describe('MODEL_PRICES parsing', () => {
  it('reads model=input/output entries in USD per million tokens, trimming spaces', () => {
    const { prices, errors } = parseModelPrices(' gpt-4.1-mini=0.4/1.6 , my-llama:8b=0/0,org/model@v2=12.5/50');
    expect(errors).toEqual([]);
    expect(Object.fromEntries(prices)).toEqual({
      'gpt-4.1-mini': { input: 0.4, output: 1.6 },
      'my-llama:8b': { input: 0, output: 0 },
      'org/model@v2': { input: 12.5, output: 50 },
    });
  });

  it('unset or blank means no configured prices', () => {
    expect(parseModelPrices(undefined)).toEqual({ prices: new Map(), errors: [] });
    expect(parseModelPrices('  ')).toEqual({ prices: new Map(), errors: [] });
  });

  it('names every bad entry by position and text', () => {
    const { errors } = parseModelPrices('gpt-4o=2.5/10,,nonsense,=1/2,m=1,m2=-1/2,m3=1/2/3,m4=abc/1,gpt-4o=1/1,big=20000/1');
    expect(errors).toEqual([
      'entry 2 is empty (expected model=input/output)',
      'entry 3 "nonsense": expected model=input/output (USD per million tokens)',
      expect.stringMatching(/^entry 4 "=1\/2": the model name must be/),
      expect.stringMatching(/^entry 5 "m=1": prices must be two non-negative numbers/),
      expect.stringMatching(/^entry 6 "m2=-1\/2": prices must be two non-negative numbers/),
      expect.stringMatching(/^entry 7 "m3=1\/2\/3": prices must be two non-negative numbers/),
      expect.stringMatching(/^entry 8 "m4=abc\/1": prices must be two non-negative numbers/),
      'entry 9 "gpt-4o=1/1": model "gpt-4o" is priced twice',
      expect.stringMatching(/^entry 10 "big=20000\/1": a price above 10000/),
    ]);
  });

  it('a huge hostile value is reported with a bounded message', () => {
    const { errors } = parseModelPrices('x'.repeat(100_000));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.length).toBeLessThan(200);
  });
});

describe('prices and cost', () => {
  const configured = parseModelPrices('gpt-4.1-mini=1/2,local=0/0').prices;

  it('MODEL_PRICES overrides the built-in list; other models use the built-in price', () => {
    expect(priceFor('gpt-4.1-mini', configured)).toEqual({ input: 1, output: 2 });
    expect(priceFor('gpt-4o-mini', configured)).toEqual(DEFAULT_MODEL_PRICES['gpt-4o-mini']);
    expect(priceFor('local', configured)).toEqual({ input: 0, output: 0 });
  });

  it('a dated snapshot name falls back to its base model; an unknown model has no price', () => {
    expect(priceFor('gpt-4.1-mini-2025-04-14', configured)).toEqual({ input: 1, output: 2 });
    expect(priceFor('gpt-4o-2024-08-06', new Map())).toEqual(DEFAULT_MODEL_PRICES['gpt-4o']);
    expect(priceFor('some-unknown-model', configured)).toBeUndefined();
  });

  it('cost = input tokens × input price + output tokens × output price, per million', () => {
    expect(costOf({ inputTokens: 1_000_000, outputTokens: 500_000 }, { input: 0.4, output: 1.6 })).toBe(1.2);
    // 120 in, 30 out at 1/2 per million: 0.00012 + 0.00006.
    expect(costOf({ inputTokens: 120, outputTokens: 30 }, { input: 1, output: 2 })).toBe(0.00018);
    expect(costOf({ inputTokens: 0, outputTokens: 0 }, { input: 5, output: 5 })).toBe(0);
  });

  it('an unpriced model (and the offline policy) costs 0', () => {
    expect(costOf({ inputTokens: 1000, outputTokens: 1000 }, undefined)).toBe(0);
  });
});

describe('MODEL_PRICES at start-up', () => {
  it('a bad entry stops the configuration with a message naming the variable and the entry', async () => {
    const { loadConfig } = await import('../config/configuration.js');
    expect(() => loadConfig({ MODEL_PRICES: 'gpt-4o=2.5/10,gpt-4o-mini=cheap' })).toThrow(/MODEL_PRICES: entry 2 "gpt-4o-mini=cheap": prices must be two non-negative numbers/);
    expect(loadConfig({ MODEL_PRICES: 'gpt-4o=2.5/10' }).env.MODEL_PRICES).toBe('gpt-4o=2.5/10');
  });
});
