import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startFakeAnthropic } from '../fakes/fake-anthropic';
import type { FakeServer } from '../fakes/fake-server';
import { startFakeOpenAI } from '../fakes/fake-openai';

/** The fakes themselves: the parts the provider suites don't reach. */
describe('fake provider servers', () => {
  let openai: FakeServer;
  let anthropic: FakeServer;
  beforeEach(async () => {
    openai = await startFakeOpenAI({ behaviour: { replyText: 'Plain JSON reply.' } });
    anthropic = await startFakeAnthropic({ behaviour: { replyText: 'Plain JSON reply.' } });
  });
  afterEach(async () => {
    await openai.close();
    await anthropic.close();
  });

  it('answers non-streamed requests with the JSON bodies the SDKs parse', async () => {
    const openaiClient = new OpenAI({ apiKey: 'sk-test', baseURL: openai.url, maxRetries: 0 });
    const completion = await openaiClient.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0]?.message.content).toBe('Plain JSON reply.');
    expect(completion.usage?.completion_tokens).toBe(3);

    const anthropicClient = new Anthropic({ apiKey: 'sk-test', baseURL: anthropic.url, maxRetries: 0 });
    const message = await anthropicClient.messages.create({ model: 'm', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
    expect(message.content).toEqual([{ type: 'text', text: 'Plain JSON reply.' }]);
    expect(message.usage.output_tokens).toBe(3);
  });

  it('sends the providers\' error JSON and retry-after on 429', async () => {
    const post = (server: FakeServer, path: string, status: number) =>
      fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-fake-behaviour': JSON.stringify({ failStatus: status, retryAfterSeconds: 7 }) },
        body: JSON.stringify({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }),
      });
    const fromOpenAI = await post(openai, '/chat/completions', 429);
    expect(fromOpenAI.status).toBe(429);
    expect(fromOpenAI.headers.get('retry-after')).toBe('7');
    expect(await fromOpenAI.json()).toMatchObject({ error: { type: 'requests', code: 'rate_limit_exceeded', param: null } });

    const fromAnthropic = await post(anthropic, '/v1/messages', 529);
    expect(fromAnthropic.status).toBe(529);
    expect(await fromAnthropic.json()).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
  });

  it('replays the same fault mix for the same seed', async () => {
    const outcomes = async (seed: number): Promise<string[]> => {
      const server = await startFakeOpenAI({ behaviour: { seed, failRates: { http429: 0.3, http500: 0.2 } } });
      try {
        const statuses: string[] = [];
        for (let i = 0; i < 30; i += 1) {
          const response = await fetch(`${server.url}/chat/completions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
          });
          await response.arrayBuffer();
          statuses.push(String(response.status));
        }
        return statuses;
      } finally {
        await server.close();
      }
    };
    const first = await outcomes(42);
    expect(await outcomes(42)).toEqual(first);
    expect(new Set(first)).toEqual(new Set(['200', '429', '500']));
  });

  it('records what the SDK sent', async () => {
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: openai.url, maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: 'gpt-test', stream: true, stream_options: { include_usage: true }, max_tokens: 9,
      messages: [{ role: 'system', content: 'sys' }, { role: 'user', content: 'hi' }],
    });
    for await (const chunk of stream) void chunk;
    await openai.requests[0]?.ended;
    expect(openai.requests[0]).toMatchObject({
      method: 'POST',
      path: '/v1/chat/completions',
      outcome: 'completed',
      body: { model: 'gpt-test', max_tokens: 9, stream_options: { include_usage: true }, messages: [{ role: 'system', content: 'sys' }, { role: 'user', content: 'hi' }] },
    });
  });
});
