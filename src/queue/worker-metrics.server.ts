import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

/**
 * The worker's only HTTP surface (WORKER_METRICS_PORT): GET /metrics for Prometheus (the job
 * histograms are recorded here, not in the API) and GET /health/live for the orchestrator.
 * Nothing else: no API key needed, nothing to protect beyond the metric names.
 */
export async function startWorkerMetricsServer(registry: Registry, port: number, host: string, isLive: () => boolean): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end();
    } else if (path === '/metrics') {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    } else if (path === '/health/live') {
      const live = isLive();
      res.writeHead(live ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: live ? 'ok' : 'stopping' }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return server;
}
