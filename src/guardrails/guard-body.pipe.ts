import { Inject, Injectable, mixin, type PipeTransform, type Type } from '@nestjs/common';
import { guardrailProblem } from './guardrail-trip.js';
import { GuardrailsService } from './guardrails.service.js';

/**
 * How a text field is guarded at the HTTP edge:
 * - `customer`: customer text: redacted, then limits and prompt injection (422 when tripped);
 * - `redact`: free text that is not the request itself (customer history): redacted only;
 * - `instructions`: text an agent will read as reference (knowledge-base articles): prompt
 *   injection only — an article is a path for indirect injection, but its contact details are not PII to hide.
 */
export type TextCheck = 'customer' | 'redact' | 'instructions';

/** A body path: dot-separated keys; `[]` after a key means every element of that list (`articles[].body`). */
export interface GuardedField {
  path: string;
  check: TextCheck;
}

/** Every string at `path` in `value`, with its concrete path (indexes filled in) and a setter. */
function* stringsAt(value: unknown, path: string): Generator<{ at: string; text: string; set(v: string): void }> {
  const [head, ...rest] = path.split('.');
  const list = head.endsWith('[]');
  const key = list ? head.slice(0, -2) : head;
  if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return;
  const holder = value as Record<string, unknown>;
  const targets: { at: string; get(): unknown; set(v: string): void }[] = [];
  if (list) {
    const items = holder[key];
    if (!Array.isArray(items)) return;
    items.forEach((_, i) => targets.push({ at: `${key}[${i}]`, get: () => items[i], set: (v) => (items[i] = v) }));
  } else {
    targets.push({ at: key, get: () => holder[key], set: (v) => (holder[key] = v) });
  }
  for (const t of targets) {
    const v = t.get();
    if (rest.length === 0) {
      if (typeof v === 'string') yield { at: t.at, text: v, set: t.set };
    } else {
      for (const inner of stringsAt(v, rest.join('.'))) yield { ...inner, at: `${t.at}.${inner.at}` };
    }
  }
}

/** A structural copy of the JSON body (it is replaced field by field, the client's object is not touched). */
function copy<T>(value: T): T {
  return structuredClone(value);
}

/**
 * A body pipe (after validation) that runs the guardrails over the named fields: redacts in
 * place, answers 422 when a guardrail trips. Built per route: `@Body(GuardBody({ path, check }))`.
 */
export function GuardBody(...fields: GuardedField[]): Type<PipeTransform> {
  @Injectable()
  class GuardBodyPipe implements PipeTransform {
    constructor(@Inject(GuardrailsService) private readonly guardrails: GuardrailsService) {}

    async transform(value: unknown): Promise<unknown> {
      const body = copy(value);
      for (const field of fields) {
        // A bare string body field (the `query` of /run_agent/ may be text) is matched by its own path.
        for (const s of stringsAt(body, field.path)) {
          if (field.check === 'redact') {
            s.set(this.guardrails.redact(s.text).text);
            continue;
          }
          const inspected = field.check === 'customer' ? await this.guardrails.inspect(s.text, s.at) : await this.guardrails.inspectInstructions(s.text, s.at);
          if (inspected.trip) throw guardrailProblem(inspected.trip);
          s.set(inspected.text);
        }
      }
      return body;
    }
  }
  return mixin(GuardBodyPipe);
}
