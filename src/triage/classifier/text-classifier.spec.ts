import { HOLDOUT_ABOVE, TextClassifier, type LabeledText } from './text-classifier.js';

const SUBJECTS: Record<string, { words: string[]; templates: string[] }> = {
  weather: {
    words: ['rain', 'snow', 'sunshine', 'thunderstorm', 'fog', 'wind', 'hail', 'drizzle'],
    templates: ['the forecast says {w} tomorrow', 'heavy {w} expected tonight', 'is there {w} in the weather report'],
  },
  cooking: {
    words: ['pasta', 'soup', 'bread', 'omelette', 'risotto', 'pancakes', 'curry', 'salad'],
    templates: ['my recipe for {w} needs more salt', 'how long do I bake the {w} in the oven', 'cooking {w} for dinner with garlic'],
  },
  sports: {
    words: ['football', 'tennis', 'basketball', 'hockey', 'rugby', 'cricket', 'volleyball', 'baseball'],
    templates: ['the {w} match ended with a late goal', 'our {w} team won the championship', 'tickets for the {w} game at the stadium'],
  },
};

/** 3 classes × 24 examples: enough (≥ 40) for the temperature to be fitted out of fold. */
function toySet(): LabeledText[] {
  const out: LabeledText[] = [];
  for (const [label, { words, templates }] of Object.entries(SUBJECTS)) {
    for (const w of words) for (const t of templates) out.push({ text: t.replace('{w}', w), label });
  }
  return out;
}

const UNSEEN: [string, string][] = [
  ['will it rain or snow this weekend, the forecast looked grim', 'weather'],
  ['a thunderstorm with hail and strong wind', 'weather'],
  ['bake the bread in the oven with garlic', 'cooking'],
  ['which recipe do you use for curry and soup', 'cooking'],
  ['the tennis match at the stadium', 'sports'],
  ['our hockey team needs a goal', 'sports'],
];

describe('TextClassifier', () => {
  const examples = toySet();
  const model = TextClassifier.train(examples);

  it('knows its classes, sorted', () => {
    expect(model.classes).toEqual(['cooking', 'sports', 'weather']);
  });

  it('learns a small separable toy set: its training examples and unseen texts with the same vocabulary', () => {
    for (const e of examples) expect(model.predict(e.text).label).toBe(e.label);
    for (const [text, label] of UNSEEN) expect(model.predict(text).label).toBe(label);
  });

  it('returns probabilities for every class that sum to 1, with confidence = probability of the label', () => {
    for (const text of [...UNSEEN.map(([t]) => t), 'completely unrelated words here', '', '!!!']) {
      const p = model.predict(text);
      expect(Object.keys(p.probabilities).sort()).toEqual(['cooking', 'sports', 'weather']);
      const sum = Object.values(p.probabilities).reduce((s, v) => s + v, 0);
      expect(sum).toBeCloseTo(1, 10);
      for (const v of Object.values(p.probabilities)) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
      expect(p.confidence).toBe(p.probabilities[p.label]);
      expect(p.confidence).toBe(Math.max(...Object.values(p.probabilities)));
    }
  });

  it('is deterministic: two trainings on the same data give identical probabilities', () => {
    const again = TextClassifier.train(toySet());
    expect(again.temperature).toBe(model.temperature);
    for (const [text] of UNSEEN) expect(again.predict(text)).toEqual(model.predict(text));
  });

  it('does not depend on the order classes first appear in', () => {
    const reversed = TextClassifier.train([...toySet()].reverse());
    expect(reversed.classes).toEqual(model.classes);
    for (const [text, label] of UNSEEN) expect(reversed.predict(text).label).toBe(label);
  });

  it('calibration changes the confidence, not the predicted label', () => {
    const raw = TextClassifier.train(examples, { calibrationFolds: 0 });
    expect(raw.temperature).toBe(1);
    expect(model.temperature).not.toBe(1);
    for (const [text] of UNSEEN) expect(model.predict(text).label).toBe(raw.predict(text).label);
    const [text] = UNSEEN[0]!;
    expect(model.predict(text).confidence).not.toBeCloseTo(raw.predict(text).confidence, 3);
  });

  it('fits a positive temperature, and uses 1 when there are too few examples to calibrate', () => {
    expect(model.temperature).toBeGreaterThan(0);
    expect(Number.isFinite(model.temperature)).toBe(true);
    const small = TextClassifier.train(toySet().filter((_, i) => i % 3 === 0));
    expect(small.temperature).toBe(1);
  });

  it('calibrates on one held-out fold above HOLDOUT_ABOVE examples, deterministically', () => {
    const fillers = ['', 'please', 'today', 'again', 'now', 'thanks', 'hi', 'soon', 'really', 'ok', 'maybe', 'still', 'yes', 'hmm', 'well'];
    const big = fillers.flatMap((f) => [...toySet(), ...toySet()].map((e, i) => ({ text: `${e.text} ${f} ${i % 7 ? '' : 'unclear'}`, label: e.label })));
    expect(big.length).toBeGreaterThan(HOLDOUT_ABOVE);
    const a = TextClassifier.train(big, { epochs: 2 });
    const b = TextClassifier.train(big, { epochs: 2 });
    expect(a.temperature).toBeGreaterThan(0);
    expect(a.temperature).toBe(b.temperature);
    for (const [text, label] of UNSEEN) {
      expect(a.predict(text)).toEqual(b.predict(text));
      expect(a.predict(text).label).toBe(label);
    }
  });

  it('throws on an empty training set', () => {
    expect(() => TextClassifier.train([])).toThrow(/without examples/);
  });

  it('answers the only class with confidence 1 when trained on a single class', () => {
    const one = TextClassifier.train([
      { text: 'rain tomorrow', label: 'weather' },
      { text: 'snow tonight', label: 'weather' },
    ]);
    expect(one.temperature).toBe(1);
    expect(one.predict('football')).toEqual({ label: 'weather', confidence: 1, probabilities: { weather: 1 } });
  });
});
