import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOtlpExport } from './otlp-export.js';
import type { MappedSpan } from './span-mapping.js';

const SPAN: MappedSpan = {
  name: 'invoke_agent triage_agent',
  kind: 'internal',
  traceId: '0123456789abcdef0123456789abcdef',
  spanId: 'aaaaaaaaaaaaaaaa',
  parentSpanId: 'bbbbbbbbbbbbbbbb',
  startMs: Date.parse('2026-11-26T10:00:00.000Z'),
  endMs: Date.parse('2026-11-26T10:00:00.500Z'),
  attributes: { 'gen_ai.agent.name': 'triage_agent', 'support.ticket_id': 't-1' },
  status: { code: 'error', message: 'boom' },
};

/** A receiver on loopback answering every request with `status`. */
async function receiver(status: number): Promise<{ url: string; bodies: string[]; server: Server }> {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies, server };
}

describe('OTLP/HTTP export', () => {
  it('sends OTLP/JSON with the ids, parent, times, status and attributes as mapped', async () => {
    const r = await receiver(200);
    const errors: number[] = [];
    const otlp = createOtlpExport({ endpoint: r.url, headers: { 'x-scope-orgid': 'a' }, serviceName: 'svc', onExportError: (_e, n) => errors.push(n) });
    try {
      otlp.export(SPAN);
      await otlp.forceFlush();
      expect(errors).toEqual([]);
      const body = JSON.parse(r.bodies[0]!);
      const span = body.resourceSpans[0].scopeSpans[0].spans[0];
      expect(span).toMatchObject({ traceId: SPAN.traceId, spanId: SPAN.spanId, parentSpanId: SPAN.parentSpanId, name: SPAN.name, status: { code: 2, message: 'boom' } });
      expect(BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano)).toBe(500_000_000n);
      expect(span.attributes).toContainEqual({ key: 'support.ticket_id', value: { stringValue: 't-1' } });
      expect(body.resourceSpans[0].resource.attributes).toContainEqual({ key: 'service.name', value: { stringValue: 'svc' } });
    } finally {
      await otlp.shutdown();
      r.server.close();
    }
  });

  it('a receiver that refuses the batch is reported (with the span count), and flushing still resolves', async () => {
    const r = await receiver(400);
    const errors: number[] = [];
    const otlp = createOtlpExport({ endpoint: r.url, headers: {}, serviceName: 'svc', onExportError: (_e, n) => errors.push(n) });
    try {
      otlp.export(SPAN);
      otlp.export({ ...SPAN, spanId: 'cccccccccccccccc' });
      await expect(otlp.forceFlush()).resolves.toBeUndefined();
      expect(errors).toEqual([2]);
    } finally {
      await otlp.shutdown();
      r.server.close();
    }
  });

  it('the queue is bounded: spans beyond it are dropped, not held', async () => {
    const r = await receiver(200);
    const otlp = createOtlpExport({ endpoint: r.url, headers: {}, serviceName: 'svc', maxQueueSize: 3, onExportError: () => {} });
    try {
      for (let i = 0; i < 10; i++) otlp.export({ ...SPAN, spanId: i.toString(16).padStart(16, '1') });
      await otlp.forceFlush();
      const sent = r.bodies.flatMap((b) => JSON.parse(b).resourceSpans[0].scopeSpans[0].spans);
      // At most one full batch in flight plus a full queue (3 + 3): the other 4 were dropped.
      expect(sent.length).toBeLessThanOrEqual(6);
    } finally {
      await otlp.shutdown();
      r.server.close();
    }
  });
});
