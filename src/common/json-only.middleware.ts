import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ProblemException, problem } from './problem-details.js';

/** Bodies must be JSON: anything else is a 415 rather than an empty body that fails validation. */
@Injectable()
export class JsonOnlyMiddleware implements NestMiddleware {
  use(req: Request, _res: Response, next: NextFunction): void {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (['POST', 'PUT', 'PATCH'].includes(req.method) && hasBody && !req.is(['application/json', 'application/*+json'])) {
      throw new ProblemException(problem(415, 'unsupported-media-type',
        `Content-Type must be application/json (got ${req.headers['content-type'] ?? 'none'}).`));
    }
    next();
  }
}
