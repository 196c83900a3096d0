import { createAnthropicProvider } from '../../server/src/providers/anthropic';
import { createOpenAIProvider } from '../../server/src/providers/openai';
import type { SdkProviderOptions } from '../../server/src/providers/shared';
import { countPromptTokens, countTextTokens } from '../../server/src/providers/tokens';
import type { ChatProvider } from '../../server/src/providers/types';
import { startFakeAnthropic } from '../fakes/fake-anthropic';
import type { FakeServer } from '../fakes/fake-server';
import { startFakeOpenAI } from '../fakes/fake-openai';
import { PROMPT, runStream } from './helpers';

/** The same contract, through each real SDK, against its fake server. */
describe.each([
  { name: 'openai', startFake: startFakeOpenAI, createProvider: createOpenAIProvider },
  { name: 'anthropic', startFake: startFakeAnthropic, createProvider: createAnthropicProvider },
])('$name provider through the real SDK', ({ startFake, createProvider }) => {
  let fake: FakeServer;
  let provider: ChatProvider;
  // A generous idle timeout by default: a busy CI machine can pause a 50 tokens/s stream for longer
  // than a short one, and turn an abort test into a timeout. The timeout tests ask for a short one.
  const make = (options: Partial<SdkProviderOptions> = {}): ChatProvider =>
    createProvider({ apiKey: 'sk-test', baseURL: fake.url, maxRetries: 2, idleTimeoutMs: 10_000, ...options });
  const STALL_TIMEOUT = { idleTimeoutMs: 250 };

  beforeEach(async () => {
    // A 1 ms retry-after keeps the SDKs' retries from sleeping through the suite.
    fake = await startFake({ behaviour: { retryAfterMs: 1 } });
    provider = make();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('streams the whole reply and reports the provider usage', async () => {
    fake.setBehaviour({ replyTokens: 40, tokensPerSecond: 2000 });
    const result = await runStream(provider);
    expect(result.error).toBeUndefined();
    expect(fake.requests).toHaveLength(1);
    expect(result.text).toBe(fake.requests[0]?.replyText);
    expect(result.deltas).toBe(40);
    expect(result.usage).toEqual({ inputTokens: countPromptTokens(PROMPT), outputTokens: 40, reported: true });
  });

  it('uses the reported numbers, not a local count', async () => {
    fake.setBehaviour({ inputTokens: 1234, outputTokens: 77 });
    const result = await runStream(provider);
    expect(result.usage).toEqual({ inputTokens: 1234, outputTokens: 77, reported: true });
  });

  it('counts usage locally when the server reports none', async () => {
    fake.setBehaviour({ omitUsage: true, replyText: 'Rye is **4.50** a loaf; `sourdough` is 5.' });
    const result = await runStream(provider);
    expect(result.text).toBe('Rye is **4.50** a loaf; `sourdough` is 5.');
    expect(result.usage).toEqual({
      inputTokens: countPromptTokens(PROMPT),
      outputTokens: countTextTokens(result.text),
      reported: false,
    });
  });

  it('sends the output ceiling, and stops where the server stops', async () => {
    fake.setBehaviour({ replyTokens: 30 });
    const result = await runStream(provider, { maxOutputTokens: 5 });
    expect(result.deltas).toBe(5);
    expect(result.usage?.outputTokens).toBe(5);
    expect(fake.requests[0]?.body).toMatchObject({ max_tokens: 5, model: 'test-model', stream: true });
  });

  it.each([
    { status: 429, kind: 'rate_limited' },
    { status: 500, kind: 'unavailable' },
  ])('fails with $kind after the SDK retries on HTTP $status before the first token', async ({ status, kind }) => {
    fake.setBehaviour({ failStatus: status });
    const result = await runStream(provider);
    expect(result.error).toMatchObject({ kind, beforeFirstToken: true, status });
    expect(result.deltas).toBe(0);
    // One attempt plus maxRetries (2): all before any token.
    expect(fake.requests.map((r) => r.status)).toEqual([status, status, status]);
  });

  it('succeeds when a retry before the first token gets through', async () => {
    fake.setBehaviour({ failStatus: 429, failFirst: 2 });
    const result = await runStream(provider);
    expect(result.error).toBeUndefined();
    expect(result.text).toBe(fake.requests[2]?.replyText);
    expect(fake.requests.map((r) => r.status)).toEqual([429, 429, 200]);
  });

  it('does not retry a bad request', async () => {
    fake.setBehaviour({ failStatus: 400 });
    const result = await runStream(provider);
    expect(result.error).toMatchObject({ kind: 'bad_request', beforeFirstToken: true, status: 400 });
    expect(fake.requests).toHaveLength(1);
  });

  it('fails without retrying when the connection dies mid-stream', async () => {
    fake.setBehaviour({ replyTokens: 20, resetAfterTokens: 4 });
    const result = await runStream(provider);
    expect(result.error).toMatchObject({ kind: 'unavailable', beforeFirstToken: false });
    expect(result.deltas).toBe(4);
    // Never retried once a token had reached the caller.
    expect(fake.requests).toHaveLength(1);
    await expect(fake.requests[0]?.ended).resolves.toBe('reset');
  });

  it('times out a stalled stream after the idle timeout, and closes the connection', async () => {
    fake.setBehaviour({ replyTokens: 20, stallAfterTokens: 3 });
    const result = await runStream(make(STALL_TIMEOUT));
    expect(result.error).toMatchObject({ kind: 'timeout', beforeFirstToken: false });
    expect(result.deltas).toBe(3);
    expect(fake.requests).toHaveLength(1);
    await expect(fake.requests[0]?.ended).resolves.toBe('client_closed');
  });

  it('times out a stream that never sends its first token', async () => {
    fake.setBehaviour({ stallAfterTokens: 0 });
    const result = await runStream(make(STALL_TIMEOUT));
    expect(result.error).toMatchObject({ kind: 'timeout', beforeFirstToken: true });
    expect(fake.requests).toHaveLength(1);
  });

  it('aborts mid-stream and the server sees the connection closed', async () => {
    fake.setBehaviour({ replyTokens: 200, tokensPerSecond: 50 });
    const controller = new AbortController();
    const result = await runStream(provider, { signal: controller.signal }, {
      onDelta: (deltas) => { if (deltas === 3) controller.abort(); },
    });
    expect(result.error).toMatchObject({ kind: 'aborted', beforeFirstToken: false });
    expect(result.deltas).toBe(3);
    await expect(fake.requests[0]?.ended).resolves.toBe('client_closed');
    expect(fake.requests[0]?.tokensSent).toBeLessThan(200);
  });

  it('aborts before the first token', async () => {
    fake.setBehaviour({ firstTokenMs: 20_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const result = await runStream(make({ idleTimeoutMs: 60_000 }), { signal: controller.signal });
    expect(result.error).toMatchObject({ kind: 'aborted', beforeFirstToken: true });
    await expect(fake.requests[0]?.ended).resolves.toBe('client_closed');
  });

  it('makes no request when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await runStream(provider, { signal: controller.signal });
    expect(result.error).toMatchObject({ kind: 'aborted', beforeFirstToken: true });
    expect(fake.requests).toHaveLength(0);
  });

  it('releases the request when the caller stops reading early', async () => {
    fake.setBehaviour({ replyTokens: 200, tokensPerSecond: 50 });
    let deltas = 0;
    for await (const event of provider.stream({ model: 'm', ...PROMPT, maxOutputTokens: 500, signal: new AbortController().signal })) {
      if (event.type === 'delta' && (deltas += 1) === 2) break;
    }
    await expect(fake.requests[0]?.ended).resolves.toBe('client_closed');
  });

  it('keeps concurrent requests apart through the x-fake-behaviour header', async () => {
    const withReply = (replyText: string): ChatProvider =>
      make({ defaultHeaders: { 'x-fake-behaviour': JSON.stringify({ replyText, tokensPerSecond: 200 }) } });
    const results = await Promise.all(['alpha one', 'beta two three', 'gamma'].map((text) => runStream(withReply(text))));
    expect(results.map((r) => r.text)).toEqual(['alpha one', 'beta two three', 'gamma']);
  });
});

describe('what each provider sends', () => {
  it('openai: system first, max_tokens, temperature, and usage in the stream', async () => {
    const fake = await startFakeOpenAI();
    try {
      await runStream(createOpenAIProvider({ apiKey: 'sk-test', baseURL: fake.url }), { temperature: 0.3, maxOutputTokens: 321 });
      expect(fake.requests[0]?.body).toEqual({
        model: 'test-model',
        messages: [{ role: 'system', content: PROMPT.system }, ...PROMPT.messages],
        max_tokens: 321,
        temperature: 0.3,
        stream: true,
        stream_options: { include_usage: true },
      });
    } finally {
      await fake.close();
    }
  });

  it('anthropic: system as its own field, max_tokens, and no temperature', async () => {
    const fake = await startFakeAnthropic();
    try {
      await runStream(createAnthropicProvider({ apiKey: 'sk-test', baseURL: fake.url }), { temperature: 0.3, maxOutputTokens: 321 });
      expect(fake.requests[0]?.body).toEqual({
        model: 'test-model',
        system: PROMPT.system,
        messages: PROMPT.messages,
        max_tokens: 321,
        stream: true,
      });
    } finally {
      await fake.close();
    }
  });
});
