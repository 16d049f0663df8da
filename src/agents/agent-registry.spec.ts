import { z } from 'zod';
import { ProblemException } from '../common/problem-details.js';
import { WithRunMeta } from '../common/run-meta.js';
import type { AgentDefinition } from './agent-definition.js';
import { AgentRegistry } from './agent-registry.js';

const agent = (name: string): AgentDefinition<{ q: string }, { a: string }> => ({
  name,
  description: `${name} agent`,
  inputSchema: z.object({ q: z.string() }),
  outputSchema: z.object({ a: z.string() }),
  invoke: async ({ q }) => new WithRunMeta({ a: q }, { backend: 'offline', degraded: false }),
});

describe('AgentRegistry', () => {
  it('resolves registered agents by name and lists them sorted', async () => {
    const registry = new AgentRegistry();
    registry.register(agent('triage_agent'));
    registry.register(agent('alpha_agent'));
    expect(registry.names()).toEqual(['alpha_agent', 'triage_agent']);
    const result = await registry.get('triage_agent').invoke({ q: 'hi' });
    expect(result.body).toEqual({ a: 'hi' });
  });

  it('throws a 404 problem naming the registered agents for an unknown name', () => {
    const registry = new AgentRegistry();
    registry.register(agent('triage_agent'));
    try {
      registry.get('nope');
      throw new Error('expected a ProblemException');
    } catch (err) {
      expect(err).toBeInstanceOf(ProblemException);
      const p = (err as ProblemException).problem;
      expect(p.status).toBe(404);
      expect(p.detail).toContain('triage_agent');
      expect(p.registered_agents).toEqual(['triage_agent']);
    }
  });

  it('refuses a second agent with the same name', () => {
    const registry = new AgentRegistry();
    registry.register(agent('x'));
    expect(() => registry.register(agent('x'))).toThrow(/registered twice/);
  });

  it('describes agents with JSON schemas of input and output', () => {
    const registry = new AgentRegistry();
    registry.register(agent('x'));
    const [d] = registry.describe();
    expect(d).toMatchObject({
      name: 'x',
      description: 'x agent',
      input_schema: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] },
      output_schema: { type: 'object', properties: { a: { type: 'string' } } },
    });
  });
});
