import type { Model, ModelProvider, ModelRequest, ModelResponse, StreamEvent } from '@openai/agents-core';
import type { Pacer } from './pacer.js';

/** Tokens of one model answer, as the SDK normalises them. */
export interface CallUsage {
  requests?: number;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

/**
 * A model whose every call waits for a turn of the provider's pacer (a streamed call holds it
 * until the stream ends) and reports the tokens each answer used, under the model name it was
 * asked for (the name MODEL_PRICES prices).
 */
export class PacedModel implements Model {
  readonly getRetryAdvice?: Model['getRetryAdvice'];

  constructor(
    private readonly inner: Model,
    private readonly name: string,
    private readonly pacer: Pacer,
    private readonly onUsage: (model: string, usage: CallUsage) => void,
  ) {
    if (inner.getRetryAdvice) this.getRetryAdvice = (args) => inner.getRetryAdvice!(args);
  }

  get supportsPromptModelSelection(): boolean | undefined {
    return this.inner.supportsPromptModelSelection;
  }

  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    const response = await this.pacer.run(() => this.inner.getResponse(request));
    this.onUsage(this.name, response.usage);
    return response;
  }

  async *getStreamedResponse(request: ModelRequest): AsyncIterable<StreamEvent> {
    const release = await this.pacer.acquire();
    try {
      for await (const event of this.inner.getStreamedResponse(request)) {
        if (event.type === 'response_done') this.onUsage(this.name, event.response.usage);
        yield event;
      }
    } finally {
      // Also when the consumer stops reading early: the slot is not kept by an abandoned stream.
      release();
    }
  }
}

/** The provider's models, paced and metered. */
export class PacedModelProvider implements ModelProvider {
  private readonly models = new Map<string, Promise<Model>>();

  constructor(
    private readonly inner: ModelProvider,
    private readonly pacer: Pacer,
    private readonly onUsage: (model: string, usage: CallUsage) => void,
    /** The name a call without one is priced under (the provider's default model). */
    private readonly defaultName: string,
  ) {}

  getModel(modelName?: string): Promise<Model> {
    const name = modelName ?? this.defaultName;
    let model = this.models.get(name);
    if (!model) {
      model = Promise.resolve(this.inner.getModel(modelName)).then((inner) => new PacedModel(inner, name, this.pacer, this.onUsage));
      this.models.set(name, model);
      model.catch(() => this.models.delete(name));
    }
    return model;
  }
}
