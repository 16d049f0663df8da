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

export function zodFieldErrors(error: ZodError, prefix = ''): FieldError[] {
  return error.issues.map((i) => {
    const path = i.path.reduce<string>(
      (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)),
      prefix,
    );
    return { path: path || prefix || '(root)', message: i.message };
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
