import type request from 'supertest';

/** The response is an RFC 9457 problem with this status, and carries no stack trace. */
export function expectProblem(res: request.Response, status: number): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String) });
  expect(JSON.stringify(res.body)).not.toMatch(/at .*\.(ts|js):\d+/); // never a stack trace
}

/** The field paths a validation problem names. */
export function paths(res: request.Response): string[] {
  return ((res.body.errors ?? []) as { path: string }[]).map((e) => e.path);
}
