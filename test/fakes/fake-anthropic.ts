import type { ChatMessage } from '../../server/src/providers/types';
import {
  isRecord, pathOf, startFakeServer, textOf, type FakeDialect, type FakeServer, type FakeServerOptions, type ParsedRequest, type ReplyPlan,
} from './fake-server';
import { sseEvent } from './sse';

export type { FakeServer, RecordedRequest } from './fake-server';
export type { FakeBehaviour } from './sse';

/**
 * A local server speaking the Anthropic Messages API (`POST {url}/v1/messages`), streamed as
 * Anthropic streams it, or as one JSON body when `stream` is not set, and the model list
 * (`GET {url}/v1/models`). `url` is the host root, ready
 * to be the SDK's `baseURL`.
 */
export function startFakeAnthropic(options: FakeServerOptions = {}): Promise<FakeServer> {
  return startFakeServer({ ...options, dialect: anthropicDialect, urlPath: '' });
}

const ERRORS: Record<number, { type: string; message: string }> = {
  400: { type: 'invalid_request_error', message: 'Invalid request.' },
  401: { type: 'authentication_error', message: 'invalid x-api-key' },
  404: { type: 'not_found_error', message: 'Not found.' },
  429: { type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit.' },
  500: { type: 'api_error', message: 'Internal server error' },
  529: { type: 'overloaded_error', message: 'Overloaded' },
};

/** What `GET {url}/v1/models` lists. */
export const fakeAnthropicModels = ['claude-fake-haiku', 'claude-fake-sonnet'];

export const anthropicDialect: FakeDialect = {
  idPrefix: 'msg_fake',
  // `/v1/messages` only: not `/v1/messages/count_tokens` or `/v1/messages/batches`.
  matches: (path) => pathOf(path).endsWith('/messages'),
  parse: parseRequest,
  // `x-api-key`, or a bearer token (how newer SDK versions send the key).
  presentedKey: (headers) => (typeof headers['x-api-key'] === 'string' ? headers['x-api-key'] : headers.authorization?.replace(/^Bearer /, '')),
  listsModels: (path) => pathOf(path).endsWith('/v1/models'),
  models: () => ({
    data: fakeAnthropicModels.map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-01-01T00:00:00Z' })),
    has_more: false,
    first_id: fakeAnthropicModels[0],
    last_id: fakeAnthropicModels[fakeAnthropicModels.length - 1],
  }),
  error(status, retryAfterSeconds) {
    const error = ERRORS[status] ?? { type: 'api_error', message: `HTTP ${status}` };
    const requestId = `req_fake_${Date.now().toString(36)}`;
    const headers: Record<string, string> = { 'request-id': requestId };
    if (status === 429 || status === 529) headers['retry-after'] = String(retryAfterSeconds);
    return { body: { type: 'error', error, request_id: requestId }, headers };
  },
  stream(plan) {
    const message = {
      id: plan.id,
      type: 'message',
      role: 'assistant',
      model: plan.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      ...(plan.includeUsage ? { usage: startUsage(plan) } : {}),
    };
    const head =
      sseEvent('message_start', { type: 'message_start', message }) +
      sseEvent('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }) +
      sseEvent('ping', { type: 'ping' });
    const [before = '', after = ''] = sseEvent('content_block_delta', {
      type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: '\u0000' },
    }).split('"\\u0000"');
    const tail =
      sseEvent('content_block_stop', { type: 'content_block_stop', index: 0 }) +
      sseEvent('message_delta', {
        type: 'message_delta',
        delta: { stop_reason: stopReason(plan), stop_sequence: null },
        ...(plan.includeUsage ? { usage: { output_tokens: plan.usage.outputTokens } } : {}),
      }) +
      sseEvent('message_stop', { type: 'message_stop' });
    return { head, piece: (text) => `${before}${JSON.stringify(text)}${after}`, tail };
  },
  json(plan) {
    return {
      id: plan.id,
      type: 'message',
      role: 'assistant',
      model: plan.model,
      content: [{ type: 'text', text: plan.text }],
      stop_reason: stopReason(plan),
      stop_sequence: null,
      usage: { ...startUsage(plan), output_tokens: plan.usage.outputTokens },
    };
  },
};

function stopReason(plan: ReplyPlan): string {
  return plan.finishReason === 'length' ? 'max_tokens' : 'end_turn';
}

/** message_start carries the input count and a provisional output count, as the real API does. */
function startUsage(plan: ReplyPlan) {
  return {
    input_tokens: plan.usage.inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: 1,
    service_tier: 'standard',
  };
}

function parseRequest(body: unknown): ParsedRequest | undefined {
  if (!isRecord(body) || typeof body.model !== 'string' || !Array.isArray(body.messages)) return undefined;
  const messages: ChatMessage[] = [];
  for (const message of body.messages as unknown[]) {
    if (!isRecord(message)) continue;
    if (message.role === 'user' || message.role === 'assistant') messages.push({ role: message.role, content: textOf(message.content) });
  }
  const system = textOf(body.system);
  return {
    model: body.model,
    stream: body.stream === true,
    maxTokens: typeof body.max_tokens === 'number' ? body.max_tokens : undefined,
    // Anthropic always reports usage; only the `omitUsage` knob (imitating a proxy) removes it.
    includeUsage: true,
    system: system.length > 0 ? system : undefined,
    messages,
  };
}
