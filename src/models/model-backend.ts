import { Injectable } from '@nestjs/common';
import type { Model } from '@openai/agents-core';
import { AppConfig, type Backend } from '../config/configuration.js';
import { OfflineModel, type OfflinePolicy } from './offline-model.js';

export type AgentKey = 'triage' | 'resolution' | 'knowledge_base' | 'monitoring' | 'guardrail' | 'verification';

/**
 * Chooses each agent's model (DESIGN §2): a model name for OpenAI (resolved by the Runner's
 * provider), an `OfflineModel` with the agent's policy otherwise. A `ModelRequest` does not
 * say which agent it is for, so the policy is bound here, when the agent is built.
 */
@Injectable()
export class ModelBackend {
  constructor(private readonly config: AppConfig) {}

  model(agent: AgentKey, policy: OfflinePolicy, backend: Backend): string | Model {
    return backend === 'openai' ? this.config.modelFor(agent) : new OfflineModel(agent, policy);
  }
}

/** One agent built once per backend it may run on (lazily, then cached). */
export class AgentVariants<T> {
  private readonly built = new Map<Backend, T>();
  constructor(private readonly build: (backend: Backend) => T) {}

  get(backend: Backend): T {
    let agent = this.built.get(backend);
    if (!agent) {
      agent = this.build(backend);
      this.built.set(backend, agent);
    }
    return agent;
  }
}
