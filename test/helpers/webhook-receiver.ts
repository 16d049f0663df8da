import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  raw: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  body: any;
}

/**
 * A local webhook receiver for the alert and hand-off tests: records every request and answers
 * with the scripted statuses, then 200 (or never, with `hang`).
 */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  statuses: number[] = [];
  hang = false;
  private server?: Server;

  async start(path = '/hook'): Promise<string> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        let body: unknown;
        try {
          body = JSON.parse(raw);
        } catch {
          body = undefined;
        }
        this.requests.push({ headers: req.headers, raw, body });
        if (this.hang) return;
        res.writeHead(this.statuses.shift() ?? 200).end('ok');
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  /** What arrived for one ticket's hand-off. */
  forTicket(ticketId: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.body?.handoff?.ticket_id === ticketId);
  }

  stop(): Promise<void> {
    this.server?.closeAllConnections();
    return new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
