/**
 * The one small interface every AI provider implements. The chat turn only ever sees this:
 * it streams text deltas, then exactly one final `usage` event (or throws).
 */
export type ChatRole = 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

export interface StreamRequest {
  /** The provider's own model id, e.g. `gpt-4o-mini` or `claude-sonnet-4-5`. */
  model: string;
  system?: string;
  messages: ChatMessage[];
  /** Hard ceiling on output tokens: the most the visitor can afford, capped by the persona. */
  maxOutputTokens: number;
  temperature?: number;
  /** Aborts the provider call (visitor pressed stop, or the server is shutting down). */
  signal: AbortSignal;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** True when the provider reported the numbers; false when they were counted locally. */
  reported: boolean;
}

export type StreamEvent =
  | { type: 'delta'; text: string }
  | { type: 'usage'; usage: Usage };

export type ProviderErrorKind = 'unavailable' | 'rate_limited' | 'timeout' | 'bad_request' | 'aborted';

/** Thrown by providers; `beforeFirstToken` tells the turn whether anything reached the visitor. */
export class ProviderError extends Error {
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    readonly beforeFirstToken: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

export interface ChatProvider {
  readonly name: 'openai' | 'anthropic' | 'demo';
  stream(request: StreamRequest): AsyncIterable<StreamEvent>;
}
