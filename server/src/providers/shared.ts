import { countPromptTokens, countTextTokens } from './tokens';
import type { ChatMessage, Usage } from './types';

/** What both SDK-backed providers accept. */
export interface SdkProviderOptions {
  apiKey: string;
  /** An OpenAI-compatible or Anthropic-compatible endpoint; the SDK's default when omitted. */
  baseURL?: string;
  /** Per attempt, until the response headers arrive (the SDKs' `timeout`). Default 60 s. */
  timeoutMs?: number;
  /** Longest silence between two chunks of a started stream. Default 30 s. */
  idleTimeoutMs?: number;
  /** SDK retries, which only ever happen before a response has started. Default 2. */
  maxRetries?: number;
  /** A custom fetch (tests, proxies). */
  fetch?: typeof globalThis.fetch;
  /** Extra headers on every request (e.g. `x-fake-behaviour` against the fake servers). */
  defaultHeaders?: Record<string, string>;
}

export const PROVIDER_DEFAULTS = { timeoutMs: 60_000, idleTimeoutMs: 30_000, maxRetries: 2 } as const;

export interface ResolvedSdkOptions {
  apiKey: string;
  baseURL: string | undefined;
  timeoutMs: number;
  idleTimeoutMs: number;
  maxRetries: number;
  fetch: typeof globalThis.fetch | undefined;
  defaultHeaders: Record<string, string> | undefined;
}

export function resolveSdkOptions(options: SdkProviderOptions): ResolvedSdkOptions {
  return {
    apiKey: options.apiKey,
    baseURL: options.baseURL,
    timeoutMs: options.timeoutMs ?? PROVIDER_DEFAULTS.timeoutMs,
    idleTimeoutMs: options.idleTimeoutMs ?? PROVIDER_DEFAULTS.idleTimeoutMs,
    maxRetries: options.maxRetries ?? PROVIDER_DEFAULTS.maxRetries,
    fetch: options.fetch,
    defaultHeaders: options.defaultHeaders,
  };
}

/** The constructor options both official SDKs take in the same shape (`new OpenAI(…)`, `new Anthropic(…)`). */
export function sdkClientOptions(settings: ResolvedSdkOptions) {
  return {
    apiKey: settings.apiKey,
    baseURL: settings.baseURL,
    timeout: settings.timeoutMs,
    maxRetries: settings.maxRetries,
    fetch: settings.fetch,
    defaultHeaders: settings.defaultHeaders,
  };
}

export interface FinalUsageOptions {
  /** As reported by the provider; undefined when it reported none. */
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  system: string | undefined;
  messages: readonly ChatMessage[];
  /** The whole reply as streamed. */
  text: string;
}

/**
 * The provider's numbers when it gave both; otherwise each missing number is counted locally and
 * the usage is marked `reported: false` so the ledger can tell estimates from bills.
 */
export function finalUsage({ inputTokens, outputTokens, system, messages, text }: FinalUsageOptions): Usage {
  if (inputTokens !== undefined && outputTokens !== undefined) {
    return { inputTokens, outputTokens, reported: true };
  }
  return {
    inputTokens: inputTokens ?? countPromptTokens({ system, messages }),
    outputTokens: outputTokens ?? countTextTokens(text),
    reported: false,
  };
}
