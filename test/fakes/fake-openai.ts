import type { ChatMessage } from '../../server/src/providers/types';
import {
  isRecord, pathOf, startFakeServer, textOf, type FakeDialect, type FakeServer, type FakeServerOptions, type ParsedRequest, type ReplyPlan,
} from './fake-server';
import { sseData } from './sse';

export type { FakeServer, RecordedRequest } from './fake-server';
export type { FakeBehaviour } from './sse';

/**
 * A local server speaking OpenAI Chat Completions (`POST {url}/chat/completions`), streamed as
 * OpenAI streams it, or as one JSON body when `stream` is not set, and the model list
 * (`GET {url}/models`). `url` ends in `/v1`, ready to be
 * the SDK's `baseURL`.
 */
export function startFakeOpenAI(options: FakeServerOptions = {}): Promise<FakeServer> {
  return startFakeServer({ ...options, dialect: openAIDialect, urlPath: '/v1' });
}

const ERRORS: Record<number, { message: string; type: string; code: string | null }> = {
  400: { message: 'Invalid request.', type: 'invalid_request_error', code: null },
  401: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' },
  404: { message: 'The model does not exist or you do not have access to it.', type: 'invalid_request_error', code: 'model_not_found' },
  429: {
    message: 'Rate limit reached for requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.',
    type: 'requests',
    code: 'rate_limit_exceeded',
  },
  500: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', code: null },
  503: { message: 'The engine is currently overloaded, please try again later.', type: 'server_error', code: null },
};

/** What `GET {url}/models` lists. */
export const fakeOpenAIModels = ['gpt-fake-mini', 'gpt-fake'];

export const openAIDialect: FakeDialect = {
  idPrefix: 'chatcmpl-fake',
  matches: (path) => pathOf(path).endsWith('/chat/completions'),
  parse: parseRequest,
  presentedKey: (headers) => headers.authorization?.replace(/^Bearer /, ''),
  listsModels: (path) => pathOf(path).endsWith('/models'),
  models: () => ({
    object: 'list',
    data: fakeOpenAIModels.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'fake' })),
  }),
  error(status, retryAfterSeconds) {
    const error = ERRORS[status] ?? { message: `HTTP ${status}`, type: 'server_error', code: null };
    const headers: Record<string, string> = { 'x-request-id': `req_fake_${Date.now().toString(36)}` };
    if (status === 429 || status === 503) headers['retry-after'] = String(retryAfterSeconds);
    return { body: { error: { ...error, param: null } }, headers };
  },
  stream(plan) {
    const envelope = { id: plan.id, object: 'chat.completion.chunk', created: plan.created, model: plan.model, system_fingerprint: 'fp_fake' };
    // With include_usage, OpenAI puts `"usage": null` on every chunk but the last.
    const usageNull = plan.includeUsage ? { usage: null } : {};
    const chunk = (delta: object, finishReason: string | null): string =>
      sseData({ ...envelope, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }], ...usageNull });
    const piecePrefix = chunk({ content: '\u0000' }, null).split('"\\u0000"');
    const before = piecePrefix[0] ?? '';
    const after = piecePrefix[1] ?? '';
    let tail = chunk({}, plan.finishReason === 'length' ? 'length' : 'stop');
    if (plan.includeUsage) tail += sseData({ ...envelope, choices: [], usage: usageOf(plan) });
    tail += 'data: [DONE]\n\n';
    return {
      head: chunk({ role: 'assistant', content: '', refusal: null }, null),
      piece: (text) => `${before}${JSON.stringify(text)}${after}`,
      tail,
    };
  },
  json(plan) {
    return {
      id: plan.id,
      object: 'chat.completion',
      created: plan.created,
      model: plan.model,
      choices: [{
        index: 0,
        message: { role: 'assistant', content: plan.text, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: plan.finishReason,
      }],
      usage: usageOf(plan),
      system_fingerprint: 'fp_fake',
    };
  },
};

function usageOf(plan: ReplyPlan) {
  const { inputTokens, outputTokens } = plan.usage;
  return {
    prompt_tokens: inputTokens,
    completion_tokens: outputTokens,
    total_tokens: inputTokens + outputTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function parseRequest(body: unknown): ParsedRequest | undefined {
  if (!isRecord(body) || typeof body.model !== 'string' || !Array.isArray(body.messages)) return undefined;
  const systemParts: string[] = [];
  const messages: ChatMessage[] = [];
  for (const message of body.messages as unknown[]) {
    if (!isRecord(message)) continue;
    const text = textOf(message.content);
    if (message.role === 'system' || message.role === 'developer') systemParts.push(text);
    else if (message.role === 'user' || message.role === 'assistant') messages.push({ role: message.role, content: text });
  }
  const maxTokens = body.max_tokens ?? body.max_completion_tokens;
  const streamOptions = body.stream_options;
  return {
    model: body.model,
    stream: body.stream === true,
    maxTokens: typeof maxTokens === 'number' ? maxTokens : undefined,
    includeUsage: isRecord(streamOptions) && streamOptions.include_usage === true,
    system: systemParts.length > 0 ? systemParts.join('\n') : undefined,
    messages,
  };
}
