import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Agent, type JsonSchemaDefinition, type RunContext } from '@openai/agents-core';
import { StructuredOutput } from '../agents/structured-output.js';
import type { AgentRegistry } from '../agents/agent-registry.js';
import { AGENT_REGISTRY } from '../agents/agents.constants.js';
import { AgentRunner } from '../agents/agent-runner.js';
import { ProblemException } from '../common/problem-details.js';
import { WithRunMeta, type RunMeta } from '../common/run-meta.js';
import { AppConfig } from '../config/configuration.js';
import { parseJsonInput, toolResults, userInput } from '../models/conversation.js';
import { AgentVariants, ModelBackend } from '../models/model-backend.js';
import { out, type OfflinePolicy } from '../models/offline-model.js';
import { AlertSender, type AlertOutcome } from './alert.sender.js';
import { sortMetrics, type Metric } from './metrics.js';
import { EVALUATE_TOOL_NAME, METRIC_TOOLS, collectedMetrics, completeMetrics, evaluateAndAlert, monitoringTools, type MonitoringContext } from './monitoring.tools.js';
import { MonitoringReportSchema, MonitoringRequestSchema, MonitoringResultSchema, type MonitoringRequest, type MonitoringResult } from './monitoring.schemas.js';
import { renderReport } from './report.js';
import { replacedNarrativeNote, reportNumbersGuardrail, reportNumbersTripOf } from './report-guardrail.js';
import { describeFacts, reportFacts, type Fact } from './report-numbers.js';
import { findBreaches, resolutionTargets, type Breach, type SlaTargets } from './sla.js';
import { buildTicketFacts, type TicketUpdate } from './ticket-facts.js';

const REPORT_OUTPUT = new StructuredOutput(MonitoringReportSchema);

/** The tools' context plus what the run input states (a report may quote it). */
export interface MonitoringRunContext extends MonitoringContext {
  ticketUpdates: number;
}

/** The run input: JSON, so the offline template reads the targets the same way the model does. */
interface MonitoringInput {
  task: string;
  ticket_updates: number;
  tickets: number;
  sla_targets: SlaTargets;
  resolution_targets_hours: ReturnType<typeof resolutionTargets>;
}

/**
 * The numbers a report of this run may state. `complete`: as the response will have them (every
 * collector, breaches even if the model never evaluated); otherwise only what the tools have
 * returned so far (for the prompt). Reads the context without changing it.
 */
export function runFacts(ctx: MonitoringRunContext, complete: boolean): Fact[] {
  const metrics = complete
    ? sortMetrics(Object.entries(METRIC_TOOLS).flatMap(([name, t]) => ctx.metrics.get(name) ?? t.compute(ctx)))
    : collectedMetrics(ctx);
  const breaches = ctx.sla?.breaches ?? (complete ? findBreaches(metrics, ctx.targets) : undefined);
  return reportFacts({ metrics, breaches, targets: ctx.targets, ticketUpdates: ctx.ticketUpdates, alert: ctx.sla?.alert });
}

const RULES = [
  'You monitor customer-support performance against SLA targets. The user message is JSON: the number of ticket updates and tickets, the SLA targets (sla_targets) and the resolution target per priority in hours.',
  `First call all metric tools (${Object.keys(METRIC_TOOLS).join(', ')}) in one turn, then ${EVALUATE_TOOL_NAME}.`,
  'Then write dashboard_report in Markdown for a support lead: a table of the metrics (times in hours, fractions as percentages), the breaches, whether the alert was delivered, and a short narrative of what stands out.',
  'Use only the numbers listed under "Numbers you may use"; never invent, estimate, extrapolate or compare with earlier periods (you have no other period). You may round them to fewer decimals, write a fraction as a percentage (0.8333 as 83.3%) and hours as minutes. A metric that is missing has no data: say so, do not guess it. A report that states any other number is replaced by a template.',
].join('\n');

/** The instructions with the numbers known at this turn (the SDK asks for them again every turn). */
export function monitoringInstructions(ctx: MonitoringRunContext): string {
  const facts = describeFacts(runFacts(ctx, false));
  const alert = ctx.sla ? (ctx.sla.alert ? `\nAlert outcome: ${ctx.sla.alert.delivered ? 'delivered' : 'not delivered'} (${ctx.sla.alert.detail}).` : '\nAlert outcome: no breach, so no alert was needed.') : '';
  const pending = ctx.metrics.size === 0 ? '\n(The metric values appear here once the tools have run: call them first.)' : '';
  return `${RULES}\n\nNumbers you may use:\n${facts.join('\n')}${pending}${alert}`;
}

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
  const metrics = sortMetrics(metricResults.flatMap((r) => (JSON.parse(r.output) as { metrics: Metric[] }).metrics));
  const { breaches, alert } = JSON.parse(evaluation.output) as { breaches: Breach[]; alert: AlertOutcome | null };
  const input = parseJsonInput(userInput(request)) as Partial<MonitoringInput>;
  const report = renderReport(metrics, breaches, alert ?? undefined, { targets: input.sla_targets ?? {}, ticketUpdates: input.ticket_updates });
  return [out.json({ dashboard_report: report })];
};

@Injectable()
export class MonitoringAgent implements OnModuleInit {
  private readonly logger = new Logger('MonitoringAgent');
  readonly agents: AgentVariants<Agent<MonitoringRunContext, JsonSchemaDefinition>>;

  constructor(
    models: ModelBackend,
    private readonly alerts: AlertSender,
    private readonly runner: AgentRunner,
    private readonly config: AppConfig,
    @Inject(AGENT_REGISTRY) private readonly registry: AgentRegistry,
  ) {
    const tools = monitoringTools(alerts);
    this.agents = new AgentVariants(
      (backend) =>
        new Agent<MonitoringRunContext, JsonSchemaDefinition>({
          name: 'performance_monitoring_agent',
          instructions: (runContext: RunContext<MonitoringRunContext>) => monitoringInstructions(runContext.context),
          model: models.model('monitoring', monitoringPolicy, backend),
          modelSettings: { toolChoice: 'required', parallelToolCalls: true, temperature: 0 },
          tools,
          // On both backends: the offline template passes it by construction (tested), a model's narrative must earn it.
          outputGuardrails: [reportNumbersGuardrail<MonitoringRunContext>((ctx) => runFacts(ctx, true))],
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
    const input: MonitoringInput = {
      task: 'Compute the support performance of these tickets against the SLA targets and write the dashboard report.',
      ticket_updates: updates.length,
      tickets: facts.length,
      sla_targets: targets,
      resolution_targets_hours: resolutionTargets(targets),
    };
    const delivery: MonitoringContext['delivery'] = {};
    let attempt: MonitoringRunContext | undefined;
    const makeContext = (): MonitoringRunContext =>
      (attempt = { facts, targets, resolutionTargets: resolutionTargets(targets), metrics: new Map(), delivery, ticketUpdates: updates.length });
    let context: MonitoringRunContext;
    let report: string;
    let meta: RunMeta;
    try {
      const run = await this.runner.run<{ dashboard_report: string }, MonitoringRunContext>(this.agents, JSON.stringify(input), makeContext, REPORT_OUTPUT);
      ({ context, meta } = run);
      report = run.output.dashboard_report;
    } catch (err) {
      const verdict = reportNumbersTripOf(err);
      if (!verdict || !attempt) throw err;
      // The narrative stated numbers the run does not have: the template over the same numbers
      // answers instead (never an error: the metrics and the alert are right either way).
      this.logger.warn(`Monitoring narrative replaced by the template: unbacked numbers ${verdict.unbacked.map((u) => u.text).join(', ')}`);
      context = attempt;
      const sla = await evaluateAndAlert(context, this.alerts);
      const template = renderReport(completeMetrics(context), sla.breaches, sla.alert, { targets, ticketUpdates: updates.length });
      report = `${template}\n\n${replacedNarrativeNote(verdict)}`;
      meta = { backend: this.config.backend, degraded: false, ...usageOf(err) };
    }
    // The numbers are the tools' (complete even if a model skipped a tool); only the prose is the model's.
    const metrics = completeMetrics(context);
    const sla = await evaluateAndAlert(context, this.alerts);
    return new WithRunMeta(
      {
        metrics,
        sla_breaches: sla.breaches.map((b) => b.metric_name),
        alerts_sent: sla.alert?.delivered === true,
        dashboard_report: report,
      },
      meta,
    );
  }
}

/** The usage of a run that ended in an SDK error (its state carries it). */
function usageOf(err: unknown): Pick<RunMeta, 'usage'> {
  const u = (err as { state?: { usage?: { requests: number; inputTokens: number; outputTokens: number; totalTokens: number } } }).state?.usage;
  return u ? { usage: { requests: u.requests, input_tokens: u.inputTokens, output_tokens: u.outputTokens, total_tokens: u.totalTokens } } : {};
}
