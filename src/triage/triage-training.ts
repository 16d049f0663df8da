import type { Article } from '../knowledge-base/article.js';
import { examplesFromArticles, loadTaxonomy, type Taxonomy } from './taxonomy.js';
import { TriageModel } from './triage-model.js';
import { takePrestartedTraining, type TrainingSource } from './triage-training.prestart.js';

export { trainingSource, type TrainingSource } from './triage-training.prestart.js';

export interface TrainedTriage {
  model: TriageModel;
  taxonomy: Taxonomy;
  articleSections: number;
  ms: number;
  where: 'worker thread' | 'in process';
}

/** Trains the category and priority classifiers: the taxonomy's examples + the articles' sections. */
export function trainTriage(source: TrainingSource, articles: readonly Article[], taxonomy = loadTaxonomy(source.taxonomyFile)) {
  const started = performance.now();
  const sections = examplesFromArticles(articles, taxonomy.categories.map((c) => c.name));
  const model = TriageModel.train(taxonomy.examples, { clarifyThreshold: source.clarifyThreshold }, sections);
  return { model, taxonomy, articleSections: sections.length, ms: performance.now() - started };
}

/**
 * The trained model: from the pre-started worker when it trained from the same source,
 * otherwise (tests, a worker failure) trained here.
 */
export async function triageModelFor(source: TrainingSource, articles: readonly Article[], onWorkerFailure: (err: Error) => void): Promise<TrainedTriage> {
  const taxonomy = loadTaxonomy(source.taxonomyFile);
  const pending = takePrestartedTraining(source);
  if (pending) {
    try {
      const { model, articleSections, ms } = await pending;
      return { model: TriageModel.restore(model), taxonomy, articleSections, ms, where: 'worker thread' };
    } catch (err) {
      onWorkerFailure(err as Error);
    }
  }
  return { ...trainTriage(source, articles, taxonomy), where: 'in process' };
}
