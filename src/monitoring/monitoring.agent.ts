import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { Agent, type JsonSchemaDefinition } from '@openai/agents-core';
import { StructuredOutput } from '../agents/structured-output.js';
import type { AgentRegistry } from '../agents/agent-registry.js';
import { AGENT_REGISTRY } from '../agents/agents.constants.js';
import { AgentRunner } from '../agents/agent-runner.js';
import { ProblemException } from '../common/problem-details.js';
import { WithRunMeta } from '../common/run-meta.js';
import { toolResults } from '../models/conversation.js';
import { AgentVariants, ModelBackend } from '../models/model-backend.js';
import { out, type OfflinePolicy } from '../models/offline-model.js';
import { AlertSender, type AlertOutcome } from './alert.sender.js';
import type { Metric } from './metrics.js';
import { EVALUATE_TOOL_NAME, METRIC_TOOLS, completeMetrics, evaluateAndAlert, monitoringTools, type MonitoringContext } from './monitoring.tools.js';
import { MonitoringReportSchema, MonitoringRequestSchema, MonitoringResultSchema, type MonitoringRequest, type MonitoringResult } from './monitoring.schemas.js';

const REPORT_OUTPUT = new StructuredOutput(MonitoringReportSchema);
import { renderReport } from './report.js';
import { resolutionTargets, type Breach, type SlaTargets } from './sla.js';
import { buildTicketFacts, type TicketUpdate } from './ticket-facts.js';

/**
 * Offline policy: turn 1 calls every metric tool at once (parallel tool calls), turn 2 the
 * SLA evaluation, turn 3 writes the report from a template over the tools' own numbers.
 */
export const monitoringPolicy: OfflinePolicy = (request) => {
  const results = toolResults(request);
  const metricResults = results.filter((r) => r.name in METRIC_TOOLS);
  if (metricResults.length === 0) return Object.keys(METRIC_TOOLS).map((name) => out.functionCall(name, {}));
  const evaluation = results.find((r) => r.name === EVALUATE_TOOL_NAME);
  if (!evaluation) return [out.functionCall(EVALUATE_TOOL_NAME, {})];
  const metrics = metricResults.flatMap((r) => (JSON.parse(r.output) as { metrics: Metric[] }).metrics);
  const { breaches, alert } = JSON.parse(evaluation.output) as { breaches: Breach[]; alert: AlertOutcome | null };
  return [out.json({ dashboard_report: renderReport(metrics, breaches, alert ?? undefined) })];
};

@Injectable()
export class MonitoringAgent implements OnModuleInit {
  readonly agents: AgentVariants<Agent<MonitoringContext, JsonSchemaDefinition>>;

  constructor(
    models: ModelBackend,
    private readonly alerts: AlertSender,
    private readonly runner: AgentRunner,
    @Inject(AGENT_REGISTRY) private readonly registry: AgentRegistry,
  ) {
    const tools = monitoringTools(alerts);
    this.agents = new AgentVariants(
      (backend) =>
        new Agent<MonitoringContext, JsonSchemaDefinition>({
          name: 'performance_monitoring_agent',
          instructions: [
            'You monitor customer-support performance against SLA targets.',
            `First call all metric tools (${Object.keys(METRIC_TOOLS).join(', ')}) in one turn, then ${EVALUATE_TOOL_NAME}.`,
            'Then write dashboard_report in Markdown: a table of the metrics, the breaches and whether the alert was delivered. Use only numbers the tools returned; never invent or estimate numbers.',
          ].join('\n'),
          model: models.model('monitoring', monitoringPolicy, backend),
          modelSettings: { toolChoice: 'required', parallelToolCalls: true, temperature: 0 },
          tools,
          outputType: REPORT_OUTPUT.outputType,
        }),
    );
  }

  onModuleInit(): void {
    this.registry.register({
      name: 'performance_monitoring_agent',
      description: 'Computes SLA metrics from ticket updates (collectors as parallel tool calls), finds breaches, delivers an alert and writes a dashboard report.',
      inputSchema: MonitoringRequestSchema,
      outputSchema: MonitoringResultSchema,
      invoke: (input: MonitoringRequest) => this.monitor(input.ticket_updates, (input.sla_targets ?? {}) as SlaTargets),
    });
  }

  /** `updates` and `targets` are validated by MonitoringRequestSchema (HTTP and /run_agent/). */
  async monitor(updates: TicketUpdate[], targets: SlaTargets): Promise<WithRunMeta<MonitoringResult>> {
    const { facts, errors } = buildTicketFacts(updates);
    if (errors.length) throw ProblemException.validation(errors);
    const input = `Compute the support performance for ${updates.length} ticket updates of ${facts.length} tickets against these SLA targets: ${JSON.stringify(targets)}.`;
    const delivery: MonitoringContext['delivery'] = {};
    const makeContext = (): MonitoringContext => ({ facts, targets, resolutionTargets: resolutionTargets(targets), metrics: new Map(), delivery });
    const { output, meta, context } = await this.runner.run<{ dashboard_report: string }, MonitoringContext>(this.agents, input, makeContext, REPORT_OUTPUT);
    // The numbers are the tools' (complete even if a model skipped a tool); only the prose is the model's.
    const metrics = completeMetrics(context);
    const sla = await evaluateAndAlert(context, this.alerts);
    return new WithRunMeta(
      {
        metrics,
        sla_breaches: sla.breaches.map((b) => b.metric_name),
        alerts_sent: sla.alert?.delivered === true,
        dashboard_report: output.dashboard_report,
      },
      meta,
    );
  }
}
