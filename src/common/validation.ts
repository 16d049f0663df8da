import { ValidationPipe, type ValidationError } from '@nestjs/common';
import type { ZodError } from 'zod';
import { ProblemException, type FieldError } from './problem-details.js';

/** Flattens class-validator's nested errors into `{ path, message }` with dotted paths. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    const path = parent ? (/^\d+$/.test(e.property) ? `${parent}[${e.property}]` : `${parent}.${e.property}`) : e.property;
    for (const message of Object.values(e.constraints ?? {})) out.push({ path, message });
    if (e.children?.length) out.push(...flattenValidationErrors(e.children, path));
  }
  return out;
}

type ZodIssue = ZodError['issues'][number];

/**
 * For a union (e.g. "an object or a string"), report the branch that matched the input's
 * shape — `query.metadata.channel`, not just "query: invalid input".
 */
function specificIssues(issues: ZodIssue[]): { issue: ZodIssue; base: PropertyKey[] }[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'invalid_union' && 'errors' in issue && Array.isArray(issue.errors) && issue.errors.length) {
      const branches = issue.errors as ZodIssue[][];
      const shaped = branches.find((b) => !b.every((i) => i.code === 'invalid_type' && i.path.length === 0));
      if (shaped) return specificIssues(shaped).map((x) => ({ issue: x.issue, base: [...issue.path, ...x.base] }));
    }
    return [{ issue, base: [] }];
  });
}

export function zodFieldErrors(error: ZodError, prefix = ''): FieldError[] {
  return specificIssues(error.issues).map(({ issue, base }) => {
    const path = [...base, ...issue.path].reduce<string>(
      (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)),
      prefix,
    );
    return { path: path || '(root)', message: issue.message };
  });
}

/** The global pipe: whitelist, reject unknown fields, no implicit coercion; errors as problem details. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validateCustomDecorators: false,
    stopAtFirstError: false,
    exceptionFactory: (errors) => ProblemException.validation(flattenValidationErrors(errors)),
  });
}
