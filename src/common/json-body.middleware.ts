import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ProblemException, problem } from './problem-details.js';
import { unstorableText } from './validation.js';

/** Far deeper than any request shape here; deep enough nesting would overflow the validators. */
export const MAX_JSON_DEPTH = 32;
/** No request object has more than a few dozen keys; 100k keys would stall class-transformer. */
export const MAX_OBJECT_KEYS = 200;
/** 200k monitoring updates are ~2M values; this bounds the work any validator can be given. */
export const MAX_JSON_NODES = 3_000_000;
/** Keys that class-transformer drops silently or that could pollute prototypes. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const UNSTORABLE = 'contains a NUL character or an unpaired surrogate';

/** What is wrong with the shape of a parsed body, if anything; iterative (no recursion on attacker input). */
export function jsonShapeError(value: unknown): string | undefined {
  if (typeof value === 'string') return unstorableText(value) ? `the body ${UNSTORABLE}` : undefined;
  const stack: [unknown, number][] = [[value, 1]];
  let nodes = 0;
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > MAX_JSON_DEPTH) return `the body is nested more than ${MAX_JSON_DEPTH} levels deep`;
    // Strings are checked where they are found (not pushed): 100k monitoring updates hold ~500k.
    if (Array.isArray(v)) {
      nodes += v.length;
      for (const item of v) {
        if (typeof item === 'string') {
          if (unstorableText(item)) return `a string in a list ${UNSTORABLE}`;
        } else if (item !== null && typeof item === 'object') stack.push([item, depth + 1]);
      }
    } else {
      const keys = Object.keys(v);
      nodes += keys.length;
      if (keys.length > MAX_OBJECT_KEYS) return `an object has more than ${MAX_OBJECT_KEYS} keys`;
      for (const key of keys) {
        if (FORBIDDEN_KEYS.has(key)) return `the key "${key}" is not allowed`;
        if (unstorableText(key)) return `a key ${UNSTORABLE}`;
        const item = (v as Record<string, unknown>)[key];
        if (typeof item === 'string') {
          if (unstorableText(item)) return `the value of "${key}" ${UNSTORABLE}`;
        } else if (item !== null && typeof item === 'object') stack.push([item, depth + 1]);
      }
    }
    if (nodes > MAX_JSON_NODES) return `the body has more than ${MAX_JSON_NODES} values`;
  }
  return undefined;
}

/**
 * Request bodies are JSON objects: another media type is a 415; `null`, a number, a string or
 * an array at the top level, excessive nesting, prototype keys or unstorable text are a 400 —
 * before any validator walks the body.
 */
@Injectable()
export class JsonBodyMiddleware implements NestMiddleware {
  use(req: Request, _res: Response, next: NextFunction): void {
    // A NUL in a path or query parameter can only be an attack or a bug, and no query can use it.
    if (/%00/i.test(req.originalUrl)) throw ProblemException.validation([{ path: 'url', message: 'must not contain %00 (a NUL character)' }]);
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (!['POST', 'PUT', 'PATCH'].includes(req.method) || !hasBody) return next();
    if (!req.is(['application/json', 'application/*+json'])) {
      throw new ProblemException(
        problem(415, 'unsupported-media-type', `Content-Type must be application/json (got ${req.headers['content-type'] ?? 'none'}).`),
      );
    }
    assertJsonObjectBody(req.body);
    next();
  }
}

/** The 400 for a body that is not a JSON object of acceptable shape (also run on microservice messages). */
export function assertJsonObjectBody(body: unknown): asserts body is Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ProblemException(problem(400, 'invalid-body', `The request body must be a JSON object (got ${Array.isArray(body) ? 'an array' : body === null ? 'null' : typeof body}).`));
  }
  const shapeError = jsonShapeError(body);
  if (shapeError) throw new ProblemException(problem(400, 'invalid-body', `The request body is not acceptable: ${shapeError}.`));
}
