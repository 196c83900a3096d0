/**
 * Every error a client can see has a stable code. Services throw `AppError` with a code and never
 * think about HTTP; this one table turns codes into statuses.
 */
export const errorStatus = {
  validation_failed: 400,
  malformed_json: 400,
  bad_request: 400,
  invalid_signature: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  invalid_key: 401,
  session_expired: 401,
  insufficient_credits: 402,
  forbidden: 403,
  csrf_invalid: 403,
  origin_not_allowed: 403,
  visitor_blocked: 403,
  not_found: 404,
  route_not_found: 404,
  conflict: 409,
  email_taken: 409,
  idempotency_conflict: 409,
  idempotency_in_progress: 409,
  hold_voided: 409,
  hold_settled: 409,
  holds_pending: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  too_many_turns: 429,
  internal: 500,
  provider_unavailable: 502,
  unavailable: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof errorStatus;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** Extra response headers, e.g. Retry-After for `rate_limited`. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
  }

  get status(): number {
    return errorStatus[this.code];
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

export const notFound = (what = 'resource'): AppError => new AppError('not_found', `No such ${what}`);
