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

  static validation(errors: FieldError[], detail?: string): ProblemException {
    return new ProblemException(
      problem(400, 'validation-error', detail ?? errors.map((e) => `${e.path}: ${e.message}`).join('; '), {
        errors,
      }),
    );
  }
}
