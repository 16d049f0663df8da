import type { NestExpressApplication } from '@nestjs/platform-express';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { createTestApp } from './helpers/test-app.js';

type Schema = { $ref?: string; properties?: Record<string, Schema>; items?: Schema; example?: unknown; allOf?: Schema[] };
type Operation = {
  summary?: string;
  parameters?: { name: string; in: string; example?: unknown; schema?: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
};

// Swagger UI is how many users meet the API: every route documents its success and error
// responses, and every body and path parameter comes with an example to try.
describe('OpenAPI document', () => {
  let app: NestExpressApplication;
  let doc: { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };

  beforeAll(async () => {
    app = await createTestApp();
    doc = (await request(app.getHttpServer()).get('/docs-json').expect(200)).body;
  });
  afterAll(() => app.close());

  const resolve = (s: Schema | undefined): Schema | undefined => (s?.$ref ? doc.components.schemas[s.$ref.split('/').at(-1)!] : s);
  const hasExample = (s: Schema | undefined, depth = 0): boolean => {
    const r = resolve(s);
    if (!r || depth > 4) return false;
    if (r.example !== undefined) return true;
    if (r.items && hasExample(r.items, depth + 1)) return true;
    return Object.values(r.properties ?? {}).some((p) => p.example !== undefined || hasExample(p, depth + 1));
  };
  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, op })));

  it('lists the persistence routes', () => {
    const routes = operations().map((o) => o.route);
    for (const r of [
      'POST /tickets',
      'GET /tickets',
      'GET /tickets/{id}',
      'POST /tickets/{id}/events',
      'POST /tickets/{id}/retry',
      'GET /monitoring/report',
      'POST /knowledge-base/articles',
      'PUT /knowledge-base/articles/{id}',
      'DELETE /knowledge-base/articles/{id}',
      'POST /knowledge-base/import',
    ]) {
      expect(routes).toContain(r);
    }
  });

  it('no two DTO classes share a name (Swagger would document one of them for both, with only a warning)', () => {
    const names = readdirSync('src', { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
      .flatMap((f) => [...readFileSync(join('src', f), 'utf8').matchAll(/^(?:export )?class (\w+Dto)\b/gm)].map((m) => m[1]!));
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
    // The resolution request's ticket and the stored ticket once collided this way.
    expect(JSON.stringify(doc.components.schemas.StoredTicketDto)).toContain('events');
    expect(JSON.stringify(doc.components.schemas.TicketDto)).not.toContain('events');
  });

  it('every operation has a summary, a documented success and problem responses', () => {
    for (const { route, op } of operations()) {
      expect([route, Boolean(op.summary)]).toEqual([route, true]);
      expect([route, Object.keys(op.responses).some((s) => /^2\d\d$/.test(s))]).toEqual([route, true]);
      // Liveness has no error answer: a process that is not alive does not answer at all.
      if (!['GET /agents', 'GET /docs', 'GET /docs-json', 'GET /health/live'].includes(route)) {
        expect([route, Object.keys(op.responses).some((s) => /^[45]\d\d$/.test(s))]).toEqual([route, true]);
      }
    }
  });

  it('every request body, success body and path parameter has an example', () => {
    for (const { route, op } of operations()) {
      const body = op.requestBody?.content['application/json']?.schema;
      if (body) expect([route, 'request', hasExample(body)]).toEqual([route, 'request', true]);
      for (const [status, response] of Object.entries(op.responses)) {
        const schema = response.content?.['application/json']?.schema;
        if (/^2\d\d$/.test(status) && schema) expect([route, status, hasExample(schema)]).toEqual([route, status, true]);
      }
      for (const p of op.parameters?.filter((p) => p.in === 'path') ?? []) {
        expect([route, p.name, p.example !== undefined || p.schema?.example !== undefined]).toEqual([route, p.name, true]);
      }
    }
  });
});
