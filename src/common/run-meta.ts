import { CallHandler, ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import { map, type Observable } from 'rxjs';
import type { Backend } from '../config/configuration.js';

/** What the HTTP layer should tell the client about how an agent answered. */
export interface RunMeta {
  backend: Backend;
  /** True when the OpenAI backend failed and the offline policy answered instead. */
  degraded: boolean;
  /** Model requests and tokens of the run (zero tokens offline: no language model runs). */
  usage?: RunUsage;
}

export interface RunUsage {
  requests: number;
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
}

/** A controller result that carries run metadata next to the JSON body. */
export class WithRunMeta<T> {
  constructor(
    readonly body: T,
    readonly meta: RunMeta,
  ) {}
}

/** Turns `WithRunMeta` into headers (`x-agent-backend`, `x-agent-degraded`) and the plain body. */
@Injectable()
export class RunMetaInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      map((result: unknown) => {
        if (!(result instanceof WithRunMeta)) return result;
        if (context.getType() === 'http') {
          const res = context.switchToHttp().getResponse<Response>();
          res.setHeader('x-agent-backend', result.meta.backend);
          res.setHeader('x-agent-degraded', String(result.meta.degraded));
        }
        return result.body;
      }),
    );
  }
}
