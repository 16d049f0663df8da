import { analyze } from '../common/text-analysis.js';
import { TextClassifier, type SerializedClassifier } from './classifier/text-classifier.js';
import { applyPriorityRules, prioritySignals } from './priority-rules.js';
import type { Priority, TriageExample } from './taxonomy.js';

/** Stemmed words that say something is wrong but not what (they don't make a text actionable). */
const VAGUE = new Set(
  'work broken problem issu help question fix wrong error thing stuff doesn isn won didn aren again still asap urgent see previou attach abov below'.split(' '),
);

export function informativeTerms(text: string): number {
  return new Set(analyze(text).filter((t) => !VAGUE.has(t))).size;
}

/** Priority depends on who asks and how, too: the history and channel join the text. */
function priorityText(text: string, customerHistory?: string, channel?: string): string {
  return `${text}\n${customerHistory ?? ''}\n${channel ? `channel_${channel}` : ''}`;
}

export interface TriageDecision {
  category: string;
  priority: Priority;
  confidence: number;
  clarification_needed: boolean;
}

export interface TriageExplanation extends TriageDecision {
  category_probabilities: Record<string, number>;
  priority_model: Priority;
  priority_reasons: string[];
  informative_terms: number;
}

export interface TriageModelOptions {
  /** Below this calibrated category confidence, ask the customer to clarify. */
  clarifyThreshold: number;
  /** Fewer informative words than this (after stop and vague words) is too little to act on. */
  minInformativeTerms?: number;
}

export interface SerializedTriageModel {
  categories: SerializedClassifier;
  priorities?: SerializedClassifier;
  options: Required<TriageModelOptions>;
}

/**
 * The offline triage policy's brain: a category classifier and a priority classifier
 * trained from labeled examples, plus priority rules and clarification logic. Pure.
 */
export class TriageModel {
  private constructor(
    private readonly categories: TextClassifier,
    private readonly priorities: TextClassifier | undefined,
    private readonly options: Required<TriageModelOptions>,
  ) {}

  /** `examples` train both classifiers; `categoryOnly` (e.g. from articles) only the category one. */
  static train(examples: TriageExample[], options: TriageModelOptions, categoryOnly: TriageExample[] = []): TriageModel {
    const categories = TextClassifier.train(
      examples.map((e) => ({ text: e.text, label: e.category })),
      {},
      categoryOnly.map((e) => ({ text: e.text, label: e.category })),
    );
    const withPriority = examples.filter((e) => e.priority);
    const labels = new Set(withPriority.map((e) => e.priority));
    const priorities =
      labels.size > 1
        ? // Only the label is used (the reported confidence is the category's): no calibration.
          TextClassifier.train(withPriority.map((e) => ({ text: priorityText(e.text, e.customer_history, e.channel), label: e.priority! })), { calibrationFolds: 0 })
        : undefined;
    return new TriageModel(categories, priorities, { minInformativeTerms: 2, ...options });
  }

  serialize(): SerializedTriageModel {
    return { categories: this.categories.serialize(), priorities: this.priorities?.serialize(), options: this.options };
  }

  static restore(s: SerializedTriageModel): TriageModel {
    return new TriageModel(TextClassifier.restore(s.categories), s.priorities && TextClassifier.restore(s.priorities), s.options);
  }

  explain(text: string, customerHistory?: string, channel?: string): TriageExplanation {
    const category = this.categories.predict(text);
    const base = (this.priorities?.predict(priorityText(text, customerHistory, channel)).label as Priority | undefined) ?? 'Medium';
    const signals = prioritySignals(text, customerHistory);
    const { priority, reasons } = applyPriorityRules(base, signals);
    // "I can't log in" has one content word but states a problem: the blocked cue counts.
    const informative = informativeTerms(text) + (signals.blocked ? 1 : 0);
    const confidence = Math.round(category.confidence * 1000) / 1000;
    return {
      category: category.label,
      priority,
      confidence,
      clarification_needed: confidence < this.options.clarifyThreshold || informative < this.options.minInformativeTerms,
      category_probabilities: category.probabilities,
      priority_model: base,
      priority_reasons: reasons,
      informative_terms: informative,
    };
  }

  decide(text: string, customerHistory?: string, channel?: string): TriageDecision {
    const { category, priority, confidence, clarification_needed } = this.explain(text, customerHistory, channel);
    return { category, priority, confidence, clarification_needed };
  }
}
