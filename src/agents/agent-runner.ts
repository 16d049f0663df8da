import { Injectable, Logger } from '@nestjs/common';
import {
  AgentsError,
  MaxTurnsExceededError,
  ModelBehaviorError,
  OutputGuardrailTripwireTriggered,
  RunAgentUpdatedStreamEvent,
  RunState,
  Runner,
  type Agent,
  type ModelProvider,
  type RunResult,
  type StreamedRunResult,
} from '@openai/agents-core';
import { APIError } from 'openai/error';
import { ProblemException, problem } from '../common/problem-details.js';
import type { RunMeta } from '../common/run-meta.js';
import { AppConfig, type Backend } from '../config/configuration.js';
import { guardrailProblem } from '../guardrails/guardrail-trip.js';
import { inputTripOf } from '../guardrails/sdk-guardrails.js';
import type { AgentVariants } from '../models/model-backend.js';
import { upstreamFailure } from '../models/model-errors.js';
import { OfflineModelProvider } from '../models/offline-model.js';
import { TracingService } from '../observability/tracing/tracing.service.js';
import { mapRunEvent, type MapperState, type StreamEvent } from '../streaming/stream-events.js';
import { currentStreamSink, outsideStreamSink, type StreamSink } from '../streaming/stream-sink.js';

export interface AgentRunResult<O> {
  output: O;
  meta: RunMeta;
  /** What the agent's own tools returned in this run (for checks on the final answer). */
  toolOutputs: { name: string; output: string }[];
}

/** A run stopped at tool calls that need a person's approval; `state` is the SDK's serialized RunState. */
export interface PausedRun {
  state: string;
  backend: Backend;
  /** The ticket's last event the run had read when it paused (set by the workflow): replies after it are unread. */
  lastEventId?: number;
  interruptions: { callId: string; name: string; arguments: Record<string, unknown> }[];
}

/** A person's decision on one paused tool call (by call id); `message` is what the model reads on a rejection. */
export type ApprovalDecisions = ReadonlyMap<string, { approve: boolean; message?: string }>;

/** Where a run starts: new input, or a paused run's state with the decisions on its tool calls. */
export type RunInput = string | { resume: PausedRun; decisions: ApprovalDecisions };

/** One attempt of a streamed run: `began` once the client saw something of it (then it cannot fall back unseen). */
interface StreamAttempt {
  began: boolean;
}

export type PausableRunResult<O, C> = (AgentRunResult<O> & { context: C; paused?: undefined }) | { paused: PausedRun; meta: RunMeta; toolOutputs: AgentRunResult<O>['toolOutputs'] };

/**
 * The one place that calls the SDK: holds a `Runner` per backend (model provider, tracing,
 * max turns), falls back to the offline policy when the OpenAI backend fails, and maps SDK
 * errors to problem details. Controllers and services never touch the SDK runner directly.
 */
@Injectable()
export class AgentRunner {
  private readonly logger = new Logger(AgentRunner.name);
  private readonly providers = new Map<Backend, Promise<ModelProvider>>();

  constructor(
    private readonly config: AppConfig,
    private readonly tracing: TracingService,
  ) {}

  /**
   * A Runner for one run on `backend` (cheap: the model provider is built once per backend).
   * Tracing is always on and stays in-house (TracingService: metrics, logs, OTLP); traces go to
   * OpenAI only with a key and OPENAI_TRACING=true. The run is linked to the ticket in the run context.
   */
  private async runner(backend: Backend): Promise<Runner> {
    let provider = this.providers.get(backend);
    if (!provider) {
      provider = this.provider(backend);
      this.providers.set(backend, provider);
      // A provider that failed to load is tried again on the next request, not cached.
      provider.catch(() => this.providers.delete(backend));
    }
    return this.tracing.runner(backend, await provider, 'support-agents');
  }

  /** The OpenAI side of the SDK (and its client) is loaded on first use, not at start-up. */
  private async provider(backend: Backend): Promise<ModelProvider> {
    if (backend === 'offline') return new OfflineModelProvider();
    const { createOpenAIProvider } = await import('../models/openai-provider.factory.js');
    return createOpenAIProvider(this.config);
  }

  /**
   * Runs `agents` on the primary backend. `makeContext` is called per attempt so a fallback
   * run starts from a clean context (tools record their results there).
   */
  async run<O, C>(
    agents: AgentVariants<Agent<C, any>>,
    input: string,
    makeContext: () => C,
    output: { parse(finalOutput: unknown): O },
  ): Promise<AgentRunResult<O> & { context: C }> {
    const result = await this.runPausable(agents, input, makeContext, output);
    // Agents built without approval tools never pause; one that does is a wiring bug.
    if (result.paused) throw new Error('The agent run paused for an approval outside a stored ticket.');
    return result;
  }

  /**
   * Like `run`, but a run may stop at tool calls that need approval (returned as `paused`), and a
   * paused run is resumed from its stored state on the backend it ran on, with the same agent graph.
   */
  async runPausable<O, C>(
    agents: AgentVariants<Agent<C, any>>,
    input: RunInput,
    makeContext: () => C,
    output: { parse(finalOutput: unknown): O },
  ): Promise<PausableRunResult<O, C>> {
    const primary = typeof input === 'string' ? this.config.backend : (input.resume.backend as Backend);
    const attempt: StreamAttempt = { began: false };
    try {
      return await this.runOn<O, C>(primary, agents, input, makeContext(), output, attempt);
    } catch (err) {
      const failure = primary === 'openai' ? upstreamFailure(err) : undefined;
      if (!failure) throw toProblem(err);
      // A stream the client already saw part of cannot be answered again by another backend.
      if (!this.config.env.LLM_FALLBACK || attempt.began) {
        // One status for every provider failure: on Node 20 a client timeout surfaces as a plain
        // connection error, so 503 vs 504 could not be told apart reliably.
        throw new ProblemException(
          problem(503, 'model-unavailable', `The model backend is unavailable (${failure.kind}${failure.status ? ` ${failure.status}` : ''}). Try again later.`),
          { 'Retry-After': failure.kind === 'rate_limited' ? '30' : '10' },
        );
      }
      this.logger.warn(`OpenAI backend failed (${failure.kind}: ${failure.message}); answering with the offline policy (degraded).`);
      try {
        const result = await this.runOn<O, C>('offline', agents, input, makeContext(), output, { began: false });
        return { ...result, meta: { ...result.meta, degraded: true } };
      } catch (fallbackError) {
        throw toProblem(fallbackError);
      }
    }
  }

  private async runOn<O, C>(
    backend: Backend,
    agents: AgentVariants<Agent<C, any>>,
    input: RunInput,
    context: C,
    output: { parse(finalOutput: unknown): O },
    attempt: StreamAttempt,
  ): Promise<PausableRunResult<O, C>> {
    const agent = agents.get(backend);
    const start: string | RunState<C, Agent<C, any>> = typeof input === 'string' ? input : await RunState.fromString<C, Agent<C, any>>(agent, input.resume.state);
    if (typeof start !== 'string' && typeof input !== 'string') {
      // The stored state carries the run's own context; a fresh one per attempt is not needed.
      for (const item of start.getInterruptions()) {
        const callId = item.rawItem.type === 'function_call' ? item.rawItem.callId : undefined;
        const decision = callId ? input.decisions.get(callId) : undefined;
        if (!decision) continue;
        if (decision.approve) start.approve(item);
        else start.reject(item, { message: decision.message });
      }
    }
    const runner = await this.runner(backend);
    const options = { ...(typeof start === 'string' ? { context } : {}), maxTurns: this.config.env.AGENT_MAX_TURNS };
    // Inside a streamed request (an SSE route set a sink), the route's own agents run streamed.
    const sink = currentStreamSink();
    const result: RunResult<C, Agent<C, any>> | StreamedRunResult<C, Agent<C, any>> =
      sink?.streams(agent.name)
        ? await this.runStreamed(sink, agent, backend, attempt, () => runner.run(agent, start, { ...options, stream: true }))
        : await runner.run(agent, start, options);
    const toolOutputs = result.newItems.flatMap((item) =>
      item.type === 'tool_call_output_item' && item.rawItem.type === 'function_call_result'
        ? [{ name: item.rawItem.name, output: typeof item.output === 'string' ? item.output : JSON.stringify(item.output) }]
        : [],
    );
    const u = result.state.usage;
    const usage = { requests: u.requests, input_tokens: u.inputTokens, output_tokens: u.outputTokens, total_tokens: u.totalTokens };
    const meta: RunMeta = { backend, degraded: false, usage };
    if (result.interruptions.length) {
      const interruptions = result.interruptions.flatMap((item) =>
        item.rawItem.type === 'function_call'
          ? [{ callId: item.rawItem.callId, name: item.rawItem.name, arguments: parseArguments(item.rawItem.arguments) }]
          : [],
      );
      return { paused: { state: result.state.toString(), backend, interruptions }, meta, toolOutputs };
    }
    return { output: output.parse(result.finalOutput), meta, context, toolOutputs };
  }

  /**
   * Drives the SDK's streamed run, forwarding its events (mapped to the SSE vocabulary) to the
   * sink, and returns it once complete (the same result object a plain run gives). The `agent`
   * event is held back until the run shows something backend-specific, so an OpenAI failure
   * before that falls back to the offline policy without the client having seen the failed attempt.
   */
  private async runStreamed<C>(
    sink: StreamSink,
    agent: Agent<C, any>,
    backend: Backend,
    attempt: StreamAttempt,
    start: () => Promise<StreamedRunResult<C, Agent<C, any>>>,
  ): Promise<StreamedRunResult<C, Agent<C, any>>> {
    // The SDK run itself has no sink: a classifier agent inside a guardrail must not stream here.
    const result = await outsideStreamSink(start);
    // The SDK announces an agent only on a hand-off; the starting agent is announced here.
    const opening = mapRunEvent(new RunAgentUpdatedStreamEvent(agent), { guarded: false }, backend);
    let state: MapperState = opening.state;
    const held: StreamEvent[] = [...opening.events];
    for await (const event of result) {
      const mapped = mapRunEvent(event, state, backend);
      state = mapped.state;
      for (const e of mapped.events) {
        if (!attempt.began && e.event === 'agent') {
          held.push(e);
          continue;
        }
        attempt.began = true;
        for (const h of held.splice(0)) sink.emit(h);
        sink.emit(e);
      }
    }
    await result.completed;
    if (result.error) throw result.error;
    // A run that showed nothing else (a guarded agent's answer) still says which agent answered.
    for (const h of held) sink.emit(h);
    return result;
  }
}

function parseArguments(raw: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(raw);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
  } catch {
    return { raw };
  }
}

/** SDK failures that are not the provider being down: the model misbehaved → 502. */
function toProblem(err: unknown): unknown {
  if (err instanceof ProblemException) return err;
  // A guardrail stopped the customer's text: 422 naming the guardrail, not a model failure.
  const trip = inputTripOf(err);
  if (trip) return guardrailProblem(trip);
  // A withheld reply is the caller's to handle (the resolution agent escalates).
  if (err instanceof OutputGuardrailTripwireTriggered) return err;
  if (err instanceof MaxTurnsExceededError) {
    return new ProblemException(problem(502, 'agent-max-turns', 'The agent did not finish within AGENT_MAX_TURNS turns.'));
  }
  if (err instanceof ModelBehaviorError) {
    return new ProblemException(problem(502, 'model-behavior', `The model returned an unusable answer: ${err.message}`));
  }
  if (err instanceof APIError) {
    // 400/401/403/404 from the provider: our request or credentials are wrong, not the input.
    return new ProblemException(
      problem(502, 'model-provider-error', `The model provider refused the request (HTTP ${err.status ?? 'error'}): check the model name, key and base URL.`),
    );
  }
  if (err instanceof AgentsError) {
    return new ProblemException(problem(502, 'agent-error', `The agent run failed: ${err.message}`));
  }
  return err;
}
