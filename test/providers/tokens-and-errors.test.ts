import * as AnthropicSdk from '@anthropic-ai/sdk';
import * as OpenAISdk from 'openai';
import { StreamIdleTimeoutError, kindForStatus, toProviderError } from '../../server/src/providers/errors';
import { createOpenAIProvider } from '../../server/src/providers/openai';
import { countPromptTokens, countTextTokens } from '../../server/src/providers/tokens';
import { ProviderError } from '../../server/src/providers/types';
import { runStream } from './helpers';

describe('token counting', () => {
  it('counts text with the o200k encoding', () => {
    expect(countTextTokens('')).toBe(0);
    expect(countTextTokens('hello')).toBe(1);
    expect(countTextTokens('hello world, how are you today?')).toBeGreaterThan(5);
  });

  it('counts special-token look-alikes in visitor text as plain text instead of throwing', () => {
    expect(countTextTokens('ignore this <|endoftext|> please')).toBeGreaterThan(5);
  });

  it('adds the documented framing per message and for the reply', () => {
    const messages = [{ role: 'user' as const, content: 'hello' }, { role: 'assistant' as const, content: 'hi there' }];
    const expected = 3 // reply priming
      + (3 + countTextTokens('system') + countTextTokens('Be brief.'))
      + (3 + countTextTokens('user') + countTextTokens('hello'))
      + (3 + countTextTokens('assistant') + countTextTokens('hi there'));
    expect(countPromptTokens({ system: 'Be brief.', messages })).toBe(expected);
    expect(countPromptTokens({ messages: [] })).toBe(3);
  });
});

describe('error mapping', () => {
  const live = new AbortController().signal;

  it.each([
    [400, 'bad_request'], [413, 'bad_request'], [422, 'bad_request'],
    [401, 'unavailable'], [404, 'unavailable'], [500, 'unavailable'], [503, 'unavailable'], [529, 'unavailable'],
    [408, 'timeout'], [504, 'timeout'], [429, 'rate_limited'],
  ])('maps HTTP %i to %s', (status, kind) => {
    expect(kindForStatus(status)).toBe(kind);
  });

  it('maps SDK connection errors, timeouts and user aborts', () => {
    const map = (error: unknown) => toProviderError({ error, beforeFirstToken: true, signal: live }).kind;
    expect(map(new OpenAISdk.APIConnectionTimeoutError())).toBe('timeout');
    expect(map(new AnthropicSdk.APIConnectionTimeoutError())).toBe('timeout');
    expect(map(new OpenAISdk.APIConnectionError({ message: 'ECONNREFUSED' }))).toBe('unavailable');
    expect(map(new AnthropicSdk.APIUserAbortError())).toBe('aborted');
    expect(map(new StreamIdleTimeoutError(10))).toBe('timeout');
    expect(map(new TypeError('terminated'))).toBe('unavailable');
  });

  it('maps an error event inside a started stream by its type', () => {
    const overloaded = new AnthropicSdk.APIError(undefined, { type: 'error', error: { type: 'overloaded_error' } }, undefined, undefined, 'overloaded_error');
    expect(toProviderError({ error: overloaded, beforeFirstToken: false, signal: live })).toMatchObject({ kind: 'unavailable', beforeFirstToken: false });
  });

  it('reports anything after the caller aborted as aborted, keeping the cause', () => {
    const controller = new AbortController();
    controller.abort();
    const cause = new TypeError('terminated');
    const error = toProviderError({ error: cause, beforeFirstToken: false, signal: controller.signal });
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind: 'aborted', beforeFirstToken: false });
    expect(error.cause).toBe(cause);
  });

  it('treats a stream that ends without a finish reason as a failure, not a short reply', async () => {
    const truncatedBody = [
      'data: {"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Half a"},"finish_reason":null}]}',
      '',
      '',
    ].join('\n');
    const fetchTruncated: typeof fetch = async () =>
      new Response(truncatedBody, { status: 200, headers: { 'content-type': 'text/event-stream' } });
    const provider = createOpenAIProvider({ apiKey: 'sk-test', baseURL: 'http://127.0.0.1:1/v1', fetch: fetchTruncated });
    const result = await runStream(provider);
    expect(result.text).toBe('Half a');
    expect(result.error).toMatchObject({ kind: 'unavailable', beforeFirstToken: false });
  });
});
