/** RFC 9457 problem details, the one error shape of the API. */
export interface FieldError {
  path: string;
  message: string;
}

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export const PROBLEM_BASE = 'https://support-agents.dev/problems/';
/** A body with 100k bad items must not produce a 100k-entry (megabytes) error response. */
export const MAX_FIELD_ERRORS = 50;

export function problem(
  status: number,
  slug: string,
  detail: string,
  extra: Partial<ProblemDetails> = {},
): ProblemDetails {
  return { type: PROBLEM_BASE + slug, title: TITLES[status] ?? 'Error', status, detail, ...extra };
}

/**
 * An error that already knows its problem-details response. Services throw it for domain
 * failures (unknown agent, model unavailable) so the global filter needs no special cases.
 */
export class ProblemException extends Error {
  constructor(
    readonly problem: ProblemDetails,
    readonly headers: Record<string, string> = {},
  ) {
    super(problem.detail);
    this.name = 'ProblemException';
  }

  /**
   * A 400 listing the field errors: at most MAX_FIELD_ERRORS, and validators stop collecting
   * there too, so a list at the cap means "at least this many".
   */
  static validation(errors: FieldError[], detail?: string): ProblemException {
    const shown = errors.slice(0, MAX_FIELD_ERRORS);
    const summary = shown.slice(0, 5).map((e) => `${e.path}: ${e.message}`).join('; ');
    const rest =
      errors.length >= MAX_FIELD_ERRORS
        ? ` (${MAX_FIELD_ERRORS} or more errors; validation stopped at ${MAX_FIELD_ERRORS})`
        : errors.length > 5
          ? ` (${errors.length} errors in all)`
          : '';
    return new ProblemException(problem(400, 'validation-error', detail ?? summary + rest, { errors: shown }));
  }

  /** The same validation problem with every field path under `prefix` (e.g. `query.`). */
  withPathPrefix(prefix: string): ProblemException {
    const errors = this.problem.errors;
    return errors ? ProblemException.validation(errors.map((e) => ({ ...e, path: `${prefix}${e.path}` }))) : this;
  }

}
