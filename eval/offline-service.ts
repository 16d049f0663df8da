/**
 * The service's offline agents, built without Nest: the same classes, wired by hand in the
 * order Nest's injector would, so the evaluation drives the real SDK Runner, the real
 * knowledge-base agent-as-tool and the real resolution policy (and its citation check).
 */
import { GuardrailsService } from '../src/guardrails/guardrails.service.js';
import { InjectionClassifier } from '../src/guardrails/injection-classifier.agent.js';
import { Logger } from '@nestjs/common';
import { AgentRegistry } from '../src/agents/agent-registry.js';
import { AgentRunner } from '../src/agents/agent-runner.js';
import { AccountActionsRepository } from '../src/actions/account-actions.repository.js';
import { AccountActionsService } from '../src/actions/account-actions.service.js';
import { loadConfig, type AppConfig } from '../src/config/configuration.js';
import { KnowledgeBaseAgent } from '../src/knowledge-base/knowledge-base.agent.js';
import { Database } from '../src/database/database.js';
import { readArticleDir } from '../src/knowledge-base/article-files.js';
import { ArticlesRepository } from '../src/knowledge-base/articles.repository.js';
import { KnowledgeBaseService } from '../src/knowledge-base/knowledge-base.service.js';
import { Metrics } from '../src/metrics/metrics.js';
import { ModelBackend } from '../src/models/model-backend.js';
import { TracingService } from '../src/observability/tracing/tracing.service.js';
import { ResolutionAgent } from '../src/resolution/resolution.agent.js';
import type { ResolutionResult } from '../src/resolution/resolution.schemas.js';
import { TriageAgent } from '../src/triage/triage.agent.js';
import { trainTriage, trainingSource } from '../src/triage/triage-training.js';

export interface OfflineService {
  config: AppConfig;
  kb: KnowledgeBaseService;
  triage: TriageAgent;
  registry: AgentRegistry;
  /** What `/run_agent/` with `resolution_agent` and a plain-text inquiry answers: triage, then resolution. */
  resolveText(inquiry: string): Promise<ResolutionResult>;
  close(): Promise<void>;
}

/**
 * `env` as for the service; the backend is forced to offline and the knowledge base is seeded
 * into an in-memory embedded database (the real store and index sync). Start-up logs are silenced.
 */
export async function offlineService(env: Record<string, string | undefined>): Promise<OfflineService> {
  Logger.overrideLogger(false);
  const config = loadConfig({ ...env, LLM_PROVIDER: 'offline' });
  const registry = new AgentRegistry();
  const metrics = new Metrics();
  const tracing = new TracingService(config, metrics);
  await tracing.onModuleInit();
  const runner = new AgentRunner(config, tracing);
  const models = new ModelBackend(config);
  const database = await Database.open({ ...config.env, DATABASE_URL: undefined, DATA_DIR: 'memory://' });
  await database.migrate();
  const kb = new KnowledgeBaseService(config, new ArticlesRepository(database), database);
  await kb.onModuleInit();
  const guardrails = new GuardrailsService(config, new InjectionClassifier(models, runner), metrics);
  const kbAgent = new KnowledgeBaseAgent(models, kb, runner, registry, guardrails);
  const training = { ...trainTriage(trainingSource(config.env), readArticleDir(config.env.KB_DIR)), where: 'in process' as const };
  const triage = new TriageAgent(models, runner, registry, training, guardrails);
  const actions = new AccountActionsService(new AccountActionsRepository(database), config);
  const resolution = new ResolutionAgent(config, models, kbAgent, triage, runner, registry, guardrails, actions);
  for (const agent of [kbAgent, triage, resolution]) agent.onModuleInit();
  const resolutionAgent = registry.get('resolution_agent');
  return {
    config,
    kb,
    triage,
    registry,
    resolveText: async (inquiry) => (await resolutionAgent.invoke(inquiry)).body as ResolutionResult,
    close: async () => {
      await tracing.onApplicationShutdown();
      await database.close();
    },
  };
}
