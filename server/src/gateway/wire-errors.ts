import { AppError, isAppError, type ErrorCode } from '../http/errors';
import type { WireError, WireErrorCode } from '../wire/chat';

/**
 * AppError codes as the widget sees them. Anything a visitor's payload got wrong is
 * `invalid_message`; anything unexpected is `internal`, with no detail that could leak.
 */
const wireCodes: Partial<Record<ErrorCode, WireErrorCode>> = {
  validation_failed: 'invalid_message',
  bad_request: 'invalid_message',
  payload_too_large: 'invalid_message',
  insufficient_credits: 'insufficient_credits',
  rate_limited: 'rate_limited',
  provider_unavailable: 'provider_unavailable',
  origin_not_allowed: 'origin_not_allowed',
  invalid_key: 'invalid_key',
  visitor_blocked: 'visitor_blocked',
  not_found: 'not_found',
  too_many_turns: 'too_many_turns',
  invalid_signature: 'invalid_signature',
  holds_pending: 'busy',
  unavailable: 'payments_unavailable',
};

export function toWireError(error: unknown): WireError {
  if (isAppError(error)) {
    const code = wireCodes[error.code] ?? 'internal';
    const details = error.details && typeof error.details === 'object' ? (error.details as Record<string, unknown>) : undefined;
    return code === 'internal'
      ? { code, message: 'Something went wrong on our side' }
      : { code, message: error.message, ...(details ? { details } : {}) };
  }
  return { code: 'internal', message: 'Something went wrong on our side' };
}

/** For `connect_error`: Socket.IO sends `err.message` and `err.data` to the client. */
export class HandshakeError extends Error {
  readonly data: WireError;

  constructor(error: WireError) {
    super(error.message);
    this.data = error;
  }

  static from(error: unknown): HandshakeError {
    return new HandshakeError(toWireError(error));
  }
}

export const isExpected = (error: unknown): boolean => isAppError(error) && error.code !== 'internal';

export { AppError };
