import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, createServer } from 'node:net';
import { freshDataDir } from './helpers/databases.js';

/** A port nobody listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves when `predicate` holds, checking every 100 ms; rejects after `ms`. */
async function until(predicate: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });

// The real process (src/main.ts), stopped with a real SIGTERM while a request is in flight.
describe('graceful shutdown of the API process', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('on SIGTERM: refuses new connections, finishes the request in flight, logs each step as JSON and exits 0', async () => {
    const port = await freePort();
    // Hermetic: only what the process needs, never the machine's OPENAI_API_KEY or DATABASE_URL.
    const env = {
      PATH: process.env.PATH!,
      HOME: process.env.HOME ?? '/tmp',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: freshDataDir(),
      LLM_PROVIDER: 'offline',
      LOG_LEVEL: 'info',
      SLA_CHECK_INTERVAL_SECONDS: '0',
      SHUTDOWN_GRACE_SECONDS: '60',
    };
    child = spawn(process.execPath, ['--import', './scripts/register-swc.mjs', 'src/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    await until(() => out.includes('support-agents listening on') || child!.exitCode !== null, 150_000, `the API to start (stderr: ${err})`);
    expect(child.exitCode).toBeNull();

    // A request whose headers the server has read (100 Continue) but whose body is still coming.
    const body = JSON.stringify({ inquiry_text: "I can't log in to my account.", metadata: { channel: 'email', customer_id: '12345' } });
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/run_triage/',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), expect: '100-continue', 'x-request-id': 'in-flight-1' },
    });
    const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
      req.on('response', (res: IncomingMessage) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      });
      req.on('error', reject);
    });
    await new Promise<void>((resolve) => req.once('continue', () => resolve()));

    child.kill('SIGTERM');
    await until(() => refused(port), 30_000, 'the listening socket to close');
    req.end(body);
    const res = await response;
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toMatchObject({ triage_result: { category: expect.any(String) } });
    expect(await exited).toBe(0);

    const lines = out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const shutdown = lines.filter((l) => l.context === 'Shutdown').map((l) => String(l.msg));
    expect(shutdown).toEqual([
      expect.stringMatching(/^SIGTERM: shutting down — readiness is false, no new connections/),
      expect.stringMatching(/^HTTP drained after \d+ ms/),
      expect.stringMatching(/^Shut down cleanly in \d+ ms$/),
    ]);
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'request completed', request_id: 'in-flight-1', route: '/run_triage', status: 200 }));
  }, 240_000);
});
