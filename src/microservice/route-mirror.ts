import type { ArgumentMetadata, INestApplicationContext, Paramtype, PipeTransform, Type } from '@nestjs/common';
import { HTTP_CODE_METADATA, PIPES_METADATA, ROUTE_ARGS_METADATA, RouteParamtypes } from '@nestjs/common/internal';
import { Reflector } from '@nestjs/core';
import { AuthGuard, requireScopes } from '../auth/auth.guard.js';
import { attachPrincipal } from '../auth/principal.js';
import type { Scope } from '../auth/scope-list.js';
import { SCOPES_KEY } from '../auth/scopes.js';
import { ProblemException } from '../common/problem-details.js';
import { WithRunMeta } from '../common/run-meta.js';
import { assertJsonObjectBody } from '../common/json-body.middleware.js';
import { createValidationPipe } from '../common/validation.js';

/** A message as the HTTP route would see it: the payload as its body, the message headers as its headers. */
export interface RpcRequest {
  body: unknown;
  /** Lower-case names, as Node gives HTTP headers. */
  headers: Record<string, string>;
  query: Record<string, string>;
}

/** What the route handler answered: its status (set through a passthrough `@Res()`) and body. */
export interface RouteReply {
  status: number;
  body: unknown;
}

interface RouteArg {
  index: number;
  data?: string;
  pipes: (PipeTransform | Type<PipeTransform>)[];
}

type ArgFactory = (req: RpcRequest & { principal: unknown }, res: ReplyRecorder) => Promise<unknown>;

/**
 * Enough of an Express response for a handler that sets its status and headers through a
 * passthrough `@Res()` (POST /tickets answers 201, 202 or a stored 422 that way).
 */
class ReplyRecorder {
  statusCode: number;
  private readonly headers = new Map<string, string>();
  constructor(status: number) {
    this.statusCode = status;
  }
  status(code: number): this {
    this.statusCode = code;
    return this;
  }
  setHeader(name: string, value: string): this {
    this.headers.set(name.toLowerCase(), String(value));
    return this;
  }
  getHeader(name: string): string | undefined {
    return this.headers.get(name.toLowerCase());
  }
  type(): this {
    return this;
  }
}

/**
 * An HTTP route run for a microservice message with the route's own metadata: the scopes of its
 * @RequireScopes, the global ValidationPipe and the pipes of its parameters (GuardBody, ZodBodyPipe...),
 * then the handler itself. Read from the decorators, so a change to the route (a new guarded field,
 * another scope) applies to the message pattern too, with nothing to keep in step.
 */
export class RouteMirror {
  private constructor(
    private readonly instance: Record<string, (...args: unknown[]) => unknown>,
    private readonly method: string,
    readonly scopes: Scope[],
    private readonly args: ArgFactory[],
    private readonly auth: AuthGuard,
    /** Nest's default status of the route: 201 for POST unless @HttpCode says otherwise. */
    private readonly defaultStatus: number,
  ) {}

  static create(app: INestApplicationContext, controller: Type<unknown>, method: string): RouteMirror {
    const handler = (controller.prototype as Record<string, unknown>)[method];
    if (typeof handler !== 'function') throw new Error(`${controller.name}.${method} is not a route handler`);
    const reflector = app.get(Reflector);
    const scopes = reflector.getAllAndOverride<Scope[] | undefined>(SCOPES_KEY, [handler, controller]) ?? [];
    const routeArgs = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {}) as Record<string, RouteArg>;
    const types = (Reflect.getMetadata('design:paramtypes', controller.prototype as object, method) ?? []) as (Type<unknown> | undefined)[];
    // Nest's order: global pipes, then the class's and the method's @UsePipes, then the parameter's own.
    const scoped = [...((Reflect.getMetadata(PIPES_METADATA, controller) ?? []) as RouteArg['pipes']), ...((Reflect.getMetadata(PIPES_METADATA, handler) ?? []) as RouteArg['pipes'])];
    const global = createValidationPipe();
    const resolve = (pipes: RouteArg['pipes']) => pipes.map((p) => (typeof p === 'function' ? instanceOf(app, p) : p));
    const scopedPipes = resolve(scoped);
    const args: ArgFactory[] = [];
    for (const [key, arg] of Object.entries(routeArgs)) {
      const type = Number(key.split(':')[0]) as RouteParamtypes;
      const pipes = [global, ...scopedPipes, ...resolve(arg.pipes)];
      const metadata = (paramtype: Paramtype): ArgumentMetadata => ({ type: paramtype, metatype: types[arg.index], data: arg.data });
      const pick = (source: Record<string, unknown>) => (arg.data === undefined ? source : source[arg.data]);
      args[arg.index] = factoryFor(type, pick, pipes, metadata, `${controller.name}.${method}`);
    }
    const httpCode = Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined;
    return new RouteMirror(app.get(controller, { strict: false }) as RouteMirror['instance'], method, scopes, args, app.get(AuthGuard), httpCode ?? 201);
  }

  /** Authenticates, validates and runs the handler; throws what the HTTP route would answer with. */
  async run(req: RpcRequest): Promise<RouteReply> {
    // HTTP's order: the body's shape (middleware), then the key (guard), then validation (pipes).
    assertJsonObjectBody(req.body);
    const principal = await this.auth.authenticate(req.headers);
    requireScopes(principal, this.scopes);
    const carrier = { ...req, principal: undefined as unknown };
    attachPrincipal(carrier, principal);
    const res = new ReplyRecorder(this.defaultStatus);
    const values: unknown[] = [];
    // In parameter order, as Nest resolves them: a body error is reported before a query error.
    for (const factory of this.args) values.push(factory ? await factory(carrier, res) : undefined);
    const result = await this.instance[this.method]!(...values);
    const body = result instanceof WithRunMeta ? result.body : result;
    // A stored problem answered through @Res (a ticket stopped by a guardrail) is an error here too.
    if (res.statusCode >= 400) throw new ProblemException(body as ProblemException['problem']);
    return { status: res.statusCode, body };
  }
}

function factoryFor(
  type: RouteParamtypes,
  pick: (source: Record<string, unknown>) => unknown,
  pipes: PipeTransform[],
  metadata: (paramtype: Paramtype) => ArgumentMetadata,
  where: string,
): ArgFactory {
  const piped = (paramtype: Paramtype, value: unknown) => pipes.reduce<Promise<unknown>>(async (v, pipe) => pipe.transform(await v, metadata(paramtype)), Promise.resolve(value));
  switch (type) {
    case RouteParamtypes.BODY:
      return (req) => piped('body', pick(req.body as Record<string, unknown>));
    case RouteParamtypes.QUERY:
      return (req) => piped('query', pick(req.query));
    case RouteParamtypes.HEADERS:
      return async (req) => pick(req.headers);
    case RouteParamtypes.REQUEST:
      return async (req) => req;
    case RouteParamtypes.RESPONSE:
      return async (_req, res) => res;
    default:
      // A route taking path parameters, files or cookies has no message equivalent: fail at start-up.
      throw new Error(`${where}: parameter type ${RouteParamtypes[type]} cannot be mirrored by a message pattern`);
  }
}

/** A pipe class of a parameter decorator: Nest registered it as an injectable of the route's module. */
function instanceOf(app: INestApplicationContext, pipe: Type<PipeTransform>): PipeTransform {
  return app.get(pipe, { strict: false });
}
