import type { ErrorBody } from '../../../server/src/wire/dashboard';

/** One problem with one field, as the API reports it (`details.fields`). */
export interface FieldProblem {
  in: string;
  path: string;
  message: string;
}

/** An API failure with its stable code; `fields` maps a field path to the message to show beside it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems: FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get fields(): Record<string, string> {
    return Object.fromEntries(this.problems.map((p) => [p.path, p.message]));
  }
}

/** Any failure as an `ApiError`: a thrown non-API error (a bug, a network library) keeps its message. */
export function toApiError(err: unknown): ApiError {
  return err instanceof ApiError ? err : new ApiError(0, 'client_error', (err as Error).message);
}

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/**
 * The REST client. The session rides in its cookie; every write carries the CSRF token the last
 * auth response gave. A 401 anywhere calls `onUnauthenticated`, so the app can show the log-in page.
 */
export class Api {
  /** The token sent as X-CSRF-Token on writes; set from login, signup, me and workspace switches. */
  csrfToken = '';
  onUnauthenticated: () => void = () => undefined;

  constructor(private readonly base = '') {}

  async request<T>(method: Method, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && this.csrfToken) headers['x-csrf-token'] = this.csrfToken;
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'same-origin',
        signal,
      });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw new ApiError(0, 'network', 'Cannot reach the server. Check your connection and try again.');
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    const json: unknown = text ? safeJson(text) : undefined;
    if (!res.ok) throw this.toError(res.status, json);
    return json as T;
  }

  get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>('GET', path, undefined, signal);
  }
  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.request<T>('POST', path, body);
  }
  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, body);
  }
  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }
  delete<T = void>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  private toError(status: number, json: unknown): ApiError {
    const error = (json as Partial<ErrorBody> | undefined)?.error;
    if (status === 401 && error?.code !== 'invalid_credentials') this.onUnauthenticated();
    if (!error) return new ApiError(status, 'http_error', `The server answered ${status}.`);
    const problems = (error.details?.fields ?? []).map((p) => ({ ...p, message: friendlyMessage(p.message) }));
    return new ApiError(status, error.code, error.message, problems);
  }
}

/** zod's generic messages, in words a site owner reads beside a field; specific messages pass through. */
const generic: Array<[RegExp, (m: RegExpExecArray) => string]> = [
  [/^Too small: expected string to have >=1 characters?$/, () => 'Required'],
  [/^Invalid input: expected \w+, received undefined$/, () => 'Required'],
  [/^Too small: expected string to have >=(\d+) characters$/, (m) => `At least ${m[1]} characters`],
  [/^Too big: expected string to have <=(\d+) characters$/, (m) => `At most ${m[1]} characters`],
  [/^Too small: expected number to be >=(\S+)$/, (m) => `At least ${m[1]}`],
  [/^Too small: expected number to be >(\S+)$/, (m) => `More than ${m[1]}`],
  [/^Too big: expected number to be <=(\S+)$/, (m) => `At most ${m[1]}`],
  [/^Too big: expected array to have <=(\d+) items$/, (m) => `At most ${m[1]}`],
  [/^Invalid input: expected int, received number$/, () => 'A whole number'],
  [/^Invalid input: expected number, received \w+$/, () => 'A number'],
  [/^Invalid URL$/, () => 'A full address, like https://example.com'],
];

export function friendlyMessage(message: string): string {
  for (const [pattern, say] of generic) {
    const match = pattern.exec(message);
    if (match) return say(match);
  }
  return message;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A query string from the defined values only. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}
