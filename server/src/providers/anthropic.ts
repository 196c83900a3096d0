import Anthropic from '@anthropic-ai/sdk';
import type { MessageCreateParamsStreaming, RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages/messages';
import { TruncatedStreamError, toProviderError } from './errors';
import { finalUsage, resolveSdkOptions, sdkClientOptions, type SdkProviderOptions } from './shared';
import { guardStream } from './stream-guard';
import type { ChatProvider, StreamEvent, StreamRequest } from './types';

export type AnthropicProviderOptions = SdkProviderOptions;

/** Anthropic Messages API, streamed. */
export function createAnthropicProvider(options: AnthropicProviderOptions): ChatProvider {
  const settings = resolveSdkOptions(options);
  const client = new Anthropic(sdkClientOptions(settings));
  return {
    name: 'anthropic',
    stream: (request) => streamMessage({ client, request, idleTimeoutMs: settings.idleTimeoutMs }),
  };
}

interface StreamMessageOptions {
  client: Anthropic;
  request: StreamRequest;
  idleTimeoutMs: number;
}

async function* streamMessage({ client, request, idleTimeoutMs }: StreamMessageOptions): AsyncGenerator<StreamEvent> {
  const parts: string[] = [];
  let inputTokens: number | undefined;
  let outputTokens: number | undefined;
  let finished = false;
  try {
    const events = guardStream<RawMessageStreamEvent>({
      signal: request.signal,
      idleTimeoutMs,
      open: (signal) => client.messages.create(toRequestBody(request), { signal }),
    });
    for await (const event of events) {
      switch (event.type) {
        case 'message_start':
          inputTokens = billedInputTokens(event.message.usage) ?? inputTokens;
          break;
        case 'content_block_delta':
          if (event.delta.type === 'text_delta' && event.delta.text) {
            parts.push(event.delta.text);
            yield { type: 'delta', text: event.delta.text };
          }
          break;
        case 'message_delta':
          // Cumulative: the last message_delta holds the final output count.
          if (typeof event.usage?.output_tokens === 'number') outputTokens = event.usage.output_tokens;
          inputTokens = billedInputTokens(event.usage) ?? inputTokens;
          break;
        case 'message_stop':
          finished = true;
          break;
        default:
          break;
      }
    }
    // A body that ends cleanly without message_stop was cut short by a proxy or the server.
    if (!finished) throw new TruncatedStreamError();
  } catch (error) {
    throw toProviderError({ error, beforeFirstToken: parts.length === 0, signal: request.signal });
  }
  const usage = finalUsage({
    inputTokens,
    outputTokens,
    system: request.system,
    messages: request.messages,
    text: parts.join(''),
  });
  yield { type: 'usage', usage };
}

interface InputUsage {
  input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

/** All input the request consumed: fresh tokens plus any written to or read from the prompt cache. */
function billedInputTokens(usage: InputUsage | null | undefined): number | undefined {
  if (!usage || typeof usage.input_tokens !== 'number') return undefined;
  return usage.input_tokens + (usage.cache_creation_input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0);
}

/**
 * `temperature` is not sent: this SDK version's Messages params no longer have it (the API
 * deprecated sampling parameters), and sending it anyway risks a 400.
 */
function toRequestBody(request: StreamRequest): MessageCreateParamsStreaming {
  return {
    model: request.model,
    max_tokens: request.maxOutputTokens,
    ...(request.system ? { system: request.system } : {}),
    messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
    stream: true,
  };
}
