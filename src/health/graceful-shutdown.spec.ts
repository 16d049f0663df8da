import { request as httpRequest, createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { installGracefulShutdown } from './graceful-shutdown.js';
import { ShutdownState } from './shutdown-state.js';

/** A loopback server whose /slow requests wait until release() is called. */
async function slowServer(): Promise<{ server: Server; port: number; arrived: Promise<void>; release: () => void }> {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let arrivedResolve!: () => void;
  const arrived = new Promise<void>((r) => (arrivedResolve = r));
  const server = createServer((req, res) => {
    if (req.url === '/slow') {
      arrivedResolve();
      void released.then(() => res.end('done'));
    } else res.end('fast');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, arrived, release };
}

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent: false }, (res: IncomingMessage) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function harness(server: Server, graceMs = 60_000) {
  const events: string[] = [];
  let exited!: (code: number) => void;
  const exit = new Promise<number>((r) => (exited = r));
  const state = new ShutdownState();
  const uninstall = installGracefulShutdown({
    app: {
      close: async () => {
        events.push('app.close');
      },
    },
    server,
    state,
    logger: { log: (m) => events.push(`log: ${m}`), warn: (m) => events.push(`warn: ${m}`), error: (m) => events.push(`error: ${m}`) },
    graceMs,
    exit: (code) => {
      events.push(`exit ${code}`);
      exited(code);
    },
    // Emitted by the test, never delivered to the Jest process.
    signals: ['SIGUSR2'],
  });
  return { events, exit, state, uninstall };
}

describe('installGracefulShutdown', () => {
  it('turns readiness off, refuses new connections, lets the in-flight request finish, then closes the app and exits 0', async () => {
    const { server, port, arrived, release } = await slowServer();
    const h = harness(server);
    try {
      const inFlight = get(port, '/slow');
      await arrived;
      process.emit('SIGUSR2', 'SIGUSR2');
      expect(h.state.draining).toBe(true);
      await expect(get(port, '/fast')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      expect(h.events).not.toContain('app.close'); // still waiting for the request
      release();
      await expect(inFlight).resolves.toEqual({ status: 200, body: 'done' });
      await expect(h.exit).resolves.toBe(0);
      const order = h.events.filter((e) => e === 'app.close' || e.startsWith('exit') || e.startsWith('log: HTTP drained'));
      expect(order).toEqual([expect.stringMatching(/^log: HTTP drained/), 'app.close', 'exit 0']);
    } finally {
      h.uninstall();
      release();
      server.close();
    }
  });

  it('a second signal exits 1 at once', async () => {
    const { server, port, arrived, release } = await slowServer();
    const h = harness(server);
    try {
      const inFlight = get(port, '/slow').catch(() => undefined);
      await arrived;
      process.emit('SIGUSR2', 'SIGUSR2');
      process.emit('SIGUSR2', 'SIGUSR2');
      await expect(h.exit).resolves.toBe(1);
      expect(h.events).not.toContain('app.close');
      release();
      await inFlight;
    } finally {
      h.uninstall();
      release();
      server.close();
    }
  });

  it('exits 1 when the grace period runs out with work in flight', async () => {
    const { server, port, arrived, release } = await slowServer();
    const h = harness(server, 200);
    try {
      const inFlight = get(port, '/slow').catch(() => undefined);
      await arrived;
      process.emit('SIGUSR2', 'SIGUSR2');
      await expect(h.exit).resolves.toBe(1);
      expect(h.events.some((e) => e.startsWith('error: Shutdown grace of 0.2 s ran out'))).toBe(true);
      release();
      await inFlight;
    } finally {
      h.uninstall();
      release();
      server.close();
    }
  });
});
