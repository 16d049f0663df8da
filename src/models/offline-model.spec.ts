import { Agent, MaxTurnsExceededError, ModelBehaviorError, Runner, tool } from '@openai/agents-core';
import { z } from 'zod';
import { toolResults, userInput } from './conversation.js';
import { OfflineModel, OfflineModelProvider, out, textChunks, type OfflinePolicy } from './offline-model.js';

const runner = new Runner({ modelProvider: new OfflineModelProvider(), tracingDisabled: true });
const Output = z.object({ answer: z.string() });

describe('OfflineModel through the SDK Runner', () => {
  it('calls the forced tool, then answers from its result with schema-validated output', async () => {
    const seen: string[] = [];
    const lookup = tool({
      name: 'lookup',
      description: 'look something up',
      parameters: z.object({ key: z.string() }),
      execute: ({ key }) => `value-of-${key}`,
    });
    const policy: OfflinePolicy = (request) => {
      seen.push(String(request.modelSettings.toolChoice));
      const results = toolResults(request);
      if (!results.length) return [out.functionCall('lookup', { key: userInput(request) })];
      return [out.json({ answer: results[0]!.output })];
    };
    const agent = new Agent({
      name: 'a',
      model: new OfflineModel('a', policy),
      modelSettings: { toolChoice: 'required' },
      tools: [lookup],
      outputType: Output,
    });
    const result = await runner.run(agent, 'k1');
    expect(result.finalOutput).toEqual({ answer: 'value-of-k1' });
    // The SDK sends toolChoice 'required' first and resets it once the tool ran (else: a loop).
    expect(seen[0]).toBe('required');
    expect(seen[1]).not.toBe('required');
  });

  it('output that does not match the schema is a ModelBehaviorError', async () => {
    const agent = new Agent({ name: 'b', model: new OfflineModel('b', () => [out.json({ wrong: 1 })]), outputType: Output });
    await expect(runner.run(agent, 'x')).rejects.toBeInstanceOf(ModelBehaviorError);
  });

  it('a policy that never finishes hits max turns', async () => {
    const loop = tool({ name: 'loop', description: 'loop', parameters: z.object({}), execute: () => 'again' });
    const agent = new Agent({ name: 'c', model: new OfflineModel('c', () => [out.functionCall('loop', {})]), tools: [loop], outputType: Output });
    await expect(runner.run(agent, 'x', { maxTurns: 3 })).rejects.toBeInstanceOf(MaxTurnsExceededError);
  });

  it('streams the same answer', async () => {
    const agent = new Agent({ name: 'd', model: new OfflineModel('d', () => [out.json({ answer: 'streamed' })]), outputType: Output });
    const stream = await runner.run(agent, 'x', { stream: true });
    for await (const _event of stream) {
      // drain
    }
    await stream.completed;
    expect(stream.finalOutput).toEqual({ answer: 'streamed' });
  });

  it('streams the answer as text deltas that join to the final output, then response_done', async () => {
    const text = JSON.stringify({ answer: 'a deterministic answer long enough to need several chunks' });
    const model = new OfflineModel('e', () => [out.message(text)]);
    const events = [];
    for await (const event of model.getStreamedResponse({ input: 'x' } as Parameters<OfflineModel['getStreamedResponse']>[0])) events.push(event);
    expect(events[0]).toEqual({ type: 'response_started' });
    expect(events.at(-1)).toMatchObject({ type: 'response_done', response: { output: [{ type: 'message' }] } });
    const deltas = events.filter((e) => e.type === 'output_text_delta').map((e) => (e as { delta: string }).delta);
    expect(deltas.length).toBeGreaterThan(2);
    expect(deltas.join('')).toBe(text);
  });

  it('textChunks cuts at word boundaries where it can and loses nothing', () => {
    expect(textChunks('')).toEqual([]);
    expect(textChunks('one two three four', 8)).toEqual(['one two ', 'three ', 'four']);
    const long = 'x'.repeat(50);
    expect(textChunks(long, 24)).toEqual(['x'.repeat(24), 'x'.repeat(24), 'xx']);
  });

  it('the provider refuses to resolve a model by name (offline agents carry their own)', () => {
    expect(() => new OfflineModelProvider().getModel('gpt-x')).toThrow(/carry their own Model/);
  });
});
