import { z } from 'zod';
import { ProblemException, problem } from '../common/problem-details.js';
import type { AgentDefinition } from './agent-definition.js';

export interface AgentDescription {
  name: string;
  description: string;
  input_schema: unknown;
  output_schema: unknown;
}

/** Agents by name. Feature modules register theirs at init; nothing else keeps a list. */
export class AgentRegistry {
  private readonly agents = new Map<string, AgentDefinition<any, any>>();
  private descriptions?: AgentDescription[];

  register(definition: AgentDefinition<any, any>): void {
    if (this.agents.has(definition.name)) throw new Error(`Agent "${definition.name}" is registered twice.`);
    this.agents.set(definition.name, definition);
    this.descriptions = undefined;
  }

  names(): string[] {
    return [...this.agents.keys()].sort();
  }

  /** The agent, or a 404 problem that names the registered agents. */
  get(name: string): AgentDefinition<unknown, unknown> {
    const agent = this.agents.get(name);
    if (!agent) {
      throw new ProblemException(
        problem(404, 'unknown-agent', `No agent named "${name}". Registered agents: ${this.names().join(', ')}.`, {
          registered_agents: this.names(),
        }),
      );
    }
    return agent;
  }

  describe(): AgentDescription[] {
    this.descriptions ??= this.names().map((name) => {
      const a = this.agents.get(name)!;
      return {
        name,
        description: a.description,
        input_schema: z.toJSONSchema(a.inputSchema, { io: 'input', unrepresentable: 'any' }),
        output_schema: z.toJSONSchema(a.outputSchema, { unrepresentable: 'any' }),
      };
    });
    return this.descriptions;
  }
}
