import { Logger } from '@nestjs/common';
import { NatsContext, RpcException, ServerNats, ServerTCP, TcpContext, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import bytes from 'bytes';
import { catchError, from, throwError, type Observable } from 'rxjs';
import { problem, ProblemException } from '../common/problem-details.js';
import type { AppConfig } from '../config/configuration.js';
import { normalizeHeaders, type MessageDispatcher } from './message-dispatcher.js';

/** NATS queue group: every API instance subscribes in it, so each message goes to one of them. */
export const NATS_QUEUE = 'support-agents';

/** The fields of a NATS message the server reads (Nest types it as any). */
interface NatsMessage {
  subject: string;
  reply?: string;
  headers?: unknown;
  data: Uint8Array;
  json(): unknown;
  respond(data: unknown, opts?: object): boolean;
}

/** What a handler hands back to Nest's server: the reply, or the RpcException's problem as the error. */
function reply(dispatcher: MessageDispatcher, pattern: string, data: unknown, headers: Record<string, string>): Observable<unknown> {
  return from(dispatcher.dispatch(pattern, data, headers)).pipe(
    // As Nest's BaseRpcExceptionFilter sends an RpcException: its object is the client's error.
    catchError((err: RpcException) => throwError(() => err.getError())),
  );
}

/**
 * TCP (JSON frames, Nest's protocol): headers travel as packet metadata (a client sets them with
 * `ClientProxy#setOnDispatchHook`); an unknown pattern gets a 404 problem instead of Nest's bare
 * "no matching message handler" string; a frame over BODY_LIMIT closes the connection.
 */
class TcpTransport extends ServerTCP implements CustomTransportStrategy {
  constructor(
    config: AppConfig,
    private readonly dispatcher: MessageDispatcher,
  ) {
    // JsonSocket counts characters; BODY_LIMIT counts bytes: a limit in characters is at least as strict for ASCII JSON.
    super({ host: config.env.MICROSERVICE_HOST, port: config.env.MICROSERVICE_PORT, maxBufferSize: bytes.parse(config.env.BODY_LIMIT) ?? undefined });
    this.graceMs = config.env.SHUTDOWN_GRACE_SECONDS * 1000;
  }

  private readonly graceMs: number;

  override getHandlerByPattern(pattern: string): MessageHandler | null {
    return super.getHandlerByPattern(pattern) ?? this.unknownPattern;
  }

  private readonly unknownPattern: MessageHandler = (data: unknown, ctx: TcpContext) => Promise.resolve(reply(this.dispatcher, ctx.getPattern(), data, {}));

  /** Messages without an id (`client.emit`) get no reply; the patterns are request-reply only. */
  override async handleEvent(pattern: string): Promise<void> {
    this.logger.warn(`Ignored an event (no reply expected) for "${pattern.slice(0, 100)}": send requests with ClientProxy#send.`);
  }

  override async close(): Promise<void> {
    await this.dispatcher.drain(this.graceMs);
    super.close();
  }
}

/**
 * NATS: subjects `<NATS_SUBJECT_PREFIX><pattern>` in the queue group NATS_QUEUE; headers are NATS
 * message headers. At shutdown the subscriptions go first (new messages go to the other
 * instances), then the messages being run finish, then the connection closes.
 */
class NatsTransport extends ServerNats implements CustomTransportStrategy {
  private readonly subs: { unsubscribe(): void }[] = [];
  private readonly graceMs: number;

  constructor(
    config: AppConfig,
    private readonly dispatcher: MessageDispatcher,
  ) {
    super({ servers: config.env.NATS_URL, queue: NATS_QUEUE, name: 'support-agents', maxReconnectAttempts: -1 });
    this.graceMs = config.env.SHUTDOWN_GRACE_SECONDS * 1000;
  }

  /** Nest's own loop, keeping the subscriptions so close() can stop intake before it drains. */
  override bindEvents(client: { subscribe(subject: string, opts: object): { unsubscribe(): void } }): void {
    for (const channel of this.messageHandlers.keys()) {
      this.subs.push(client.subscribe(channel, { queue: NATS_QUEUE, callback: this.getMessageHandler(channel).bind(this) }));
    }
  }

  override async handleEvent(pattern: string): Promise<void> {
    this.logger.warn(`Ignored an event (no reply expected) for "${pattern.slice(0, 100)}": send requests with ClientProxy#send.`);
  }

  /**
   * Nest's handling, except that a message with a reply inbox always gets a reply: a raw client's
   * payload that is not JSON gets a 400 problem (Nest would log the parse error and the caller
   * wait for its timeout), and plain JSON without Nest's `{ pattern, data, id }` envelope is run
   * as the request it is (Nest would take it for an event), its reply carrying no id.
   */
  override async handleMessage(channel: string, natsMsg: NatsMessage): Promise<unknown> {
    if (!natsMsg.reply) return super.handleMessage(channel, natsMsg);
    const ctx = new NatsContext([natsMsg.subject, natsMsg.headers]);
    // No id to echo: a raw client's reply is matched by its inbox.
    const publish = () => this.getPublisher(natsMsg, undefined as unknown as string, ctx);
    let message: { id?: unknown; data?: unknown };
    try {
      message = (await this.deserializer.deserialize(natsMsg, { channel, replyTo: natsMsg.reply })) as typeof message;
    } catch {
      // The parser's message quotes the payload: neither logged nor sent back.
      const err = this.dispatcher.toProblem(new ProblemException(problem(400, 'invalid-body', 'The message is not JSON: send a JSON object (the HTTP body of the route).')));
      return publish()({ err, isDisposed: true });
    }
    if (message.id !== undefined) return super.handleMessage(channel, natsMsg);
    const handler = this.getHandlerByPattern(channel);
    if (!handler) return undefined;
    return this.handleRequest(ctx, async () => this.transformToObservable(await handler(message.data, ctx)), publish());
  }

  override async close(): Promise<void> {
    this.subs.splice(0).forEach((sub) => sub.unsubscribe());
    await this.dispatcher.drain(this.graceMs);
    await super.close();
  }
}

/** The transport server of MICROSERVICE_TRANSPORT with one handler per message pattern. */
export function createTransport(config: AppConfig, dispatcher: MessageDispatcher): { server: CustomTransportStrategy; describe: string } {
  if (config.env.MICROSERVICE_TRANSPORT === 'nats') {
    const server = new NatsTransport(config, dispatcher);
    const prefix = config.env.NATS_SUBJECT_PREFIX;
    for (const pattern of dispatcher.patterns) {
      server.addHandler(prefix + pattern, (data: unknown, ctx: NatsContext) =>
        Promise.resolve(reply(dispatcher, pattern, data, normalizeHeaders(natsHeaders(ctx)))),
      );
    }
    return { server, describe: `NATS ${redactUrl(config.env.NATS_URL)} (subjects ${prefix}{${dispatcher.patterns.join(',')}}, queue group ${NATS_QUEUE})` };
  }
  const server = new TcpTransport(config, dispatcher);
  for (const pattern of dispatcher.patterns) {
    server.addHandler(pattern, (data: unknown, ctx: TcpContext) => Promise.resolve(reply(dispatcher, pattern, data, normalizeHeaders(Object.entries(ctx.getMetadata() ?? {})))));
  }
  return { server, describe: `TCP ${config.env.MICROSERVICE_HOST}:${config.env.MICROSERVICE_PORT}` };
}

function* natsHeaders(ctx: NatsContext): Generator<[string, unknown]> {
  const headers = ctx.getHeaders() as { keys(): string[]; get(name: string): string } | undefined;
  if (!headers) return;
  for (const name of headers.keys()) yield [name, headers.get(name)];
}

/** A NATS URL may carry user:password. */
function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

export const transportLogger = new Logger('Microservice');
