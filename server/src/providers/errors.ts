import * as AnthropicSdk from '@anthropic-ai/sdk';
import * as OpenAISdk from 'openai';
import { ProviderError, type ProviderErrorKind } from './types';

/** Raised by the stream guard when a started stream sends nothing for too long. */
export class StreamIdleTimeoutError extends Error {
  constructor(readonly idleTimeoutMs: number) {
    super(`The provider sent nothing for ${idleTimeoutMs} ms`);
    this.name = 'StreamIdleTimeoutError';
  }
}

/** Raised when a stream ends cleanly on the wire but without the provider's end-of-reply marker. */
export class TruncatedStreamError extends Error {
  constructor() {
    super('The provider closed the stream before the reply was complete');
    this.name = 'TruncatedStreamError';
  }
}

export interface ToProviderErrorOptions {
  error: unknown;
  /** True when no delta has been yielded to the caller yet. */
  beforeFirstToken: boolean;
  /** The caller's signal: once it has fired, whatever the SDK threw is reported as `aborted`. */
  signal: AbortSignal;
}

/** The one place where SDK and network errors become `ProviderError`s. */
export function toProviderError({ error, beforeFirstToken, signal }: ToProviderErrorOptions): ProviderError {
  if (error instanceof ProviderError) return error;
  const mapped = classify(error, signal);
  const result = new ProviderError(mapped.kind, mapped.message, beforeFirstToken, mapped.status);
  // Kept for logs; never shown to visitors (it may hold provider request ids).
  result.cause = error;
  return result;
}

interface Classified {
  kind: ProviderErrorKind;
  message: string;
  status?: number;
}

function classify(error: unknown, signal: AbortSignal): Classified {
  // The caller's abort wins over anything the SDK or fetch made of it.
  if (signal.aborted || isUserAbort(error)) return { kind: 'aborted', message: 'The provider call was aborted' };
  if (error instanceof StreamIdleTimeoutError) return { kind: 'timeout', message: error.message };
  if (error instanceof TruncatedStreamError) return { kind: 'unavailable', message: error.message };
  if (isConnectionTimeout(error)) return { kind: 'timeout', message: 'The provider did not answer in time' };
  if (isConnectionError(error)) return { kind: 'unavailable', message: 'Could not reach the provider' };
  if (isApiError(error)) {
    const status = error.status;
    if (typeof status === 'number') return { kind: kindForStatus(status), message: error.message, status };
    // An error event inside a stream that had already started (no HTTP status).
    return { kind: kindForErrorType(errorType(error)), message: error.message };
  }
  // Anything else is a broken connection mid-body (undici says `TypeError: terminated`) or a bug.
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'unavailable', message: `Provider stream failed: ${message}` };
}

export function kindForStatus(status: number): ProviderErrorKind {
  if (status === 429) return 'rate_limited';
  if (status === 408 || status === 504) return 'timeout';
  // A wrong key (401/403), an unknown model (404), or an overloaded upstream: a configuration or
  // capacity problem on the provider side, nothing the visitor's message could fix.
  if (status === 401 || status === 403 || status === 404 || status === 409 || status >= 500) return 'unavailable';
  if (status >= 400) return 'bad_request';
  return 'unavailable';
}

function kindForErrorType(type: string | undefined): ProviderErrorKind {
  switch (type) {
    case 'rate_limit_error':
    case 'rate_limit_exceeded':
      return 'rate_limited';
    case 'invalid_request_error':
      return 'bad_request';
    case 'timeout_error':
      return 'timeout';
    default:
      return 'unavailable';
  }
}

type AnyApiError = OpenAISdk.APIError | AnthropicSdk.APIError;

function isApiError(error: unknown): error is AnyApiError {
  return error instanceof OpenAISdk.APIError || error instanceof AnthropicSdk.APIError;
}

function errorType(error: AnyApiError): string | undefined {
  return typeof error.type === 'string' ? error.type : undefined;
}

function isUserAbort(error: unknown): boolean {
  return error instanceof OpenAISdk.APIUserAbortError || error instanceof AnthropicSdk.APIUserAbortError;
}

function isConnectionTimeout(error: unknown): boolean {
  return error instanceof OpenAISdk.APIConnectionTimeoutError || error instanceof AnthropicSdk.APIConnectionTimeoutError;
}

function isConnectionError(error: unknown): boolean {
  return error instanceof OpenAISdk.APIConnectionError || error instanceof AnthropicSdk.APIConnectionError;
}
