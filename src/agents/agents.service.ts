import { Inject, Injectable } from '@nestjs/common';
import { ProblemException } from '../common/problem-details.js';
import { WithRunMeta } from '../common/run-meta.js';
import { zodFieldErrors } from '../common/validation.js';
import { AGENT_REGISTRY } from './agents.constants.js';
import type { AgentDescription, AgentRegistry } from './agent-registry.js';

export interface RunAgentResult {
  agent_name: string;
  input_query: unknown;
  output: unknown;
}

@Injectable()
export class AgentsService {
  constructor(@Inject(AGENT_REGISTRY) private readonly registry: AgentRegistry) {}

  list(): AgentDescription[] {
    return this.registry.describe();
  }

  /** Validates `query` against the agent's own input schema (400 naming `query.<field>`), then runs it. */
  async run(agentName: string, query: unknown): Promise<WithRunMeta<RunAgentResult>> {
    const agent = this.registry.get(agentName);
    const parsed = agent.inputSchema.safeParse(query);
    if (!parsed.success) throw ProblemException.validation(zodFieldErrors(parsed.error, 'query'));
    try {
      const { body, meta } = await agent.invoke(parsed.data);
      return new WithRunMeta({ agent_name: agentName, input_query: query, output: body }, meta);
    } catch (err) {
      // The agent's own checks name fields of its input, which is `query` here.
      throw err instanceof ProblemException ? err.withPathPrefix('query.') : err;
    }
  }
}
