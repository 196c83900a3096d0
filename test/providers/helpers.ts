import { ProviderError, type ChatProvider, type StreamRequest, type Usage } from '../../server/src/providers/types';

export interface Collected {
  text: string;
  deltas: number;
  usage?: Usage;
  error?: ProviderError;
}

export interface CollectOptions {
  /** Called after each delta, with the number of deltas so far (e.g. to abort mid-stream). */
  onDelta?: (deltas: number) => void;
}

/** Drains a provider stream; a thrown ProviderError is returned rather than thrown. */
export async function collect(stream: AsyncIterable<unknown>, options: CollectOptions = {}): Promise<Collected> {
  const result: Collected = { text: '', deltas: 0 };
  try {
    for await (const event of stream as AsyncIterable<{ type: string; text?: string; usage?: Usage }>) {
      if (event.type === 'delta') {
        result.text += event.text ?? '';
        result.deltas += 1;
        options.onDelta?.(result.deltas);
      } else if (event.type === 'usage') {
        if (result.usage) throw new Error('a second usage event');
        result.usage = event.usage;
      } else {
        throw new Error(`unexpected event ${event.type}`);
      }
    }
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    result.error = error;
  }
  return result;
}

export const PROMPT = {
  system: 'You are a helpful assistant for a bakery.',
  messages: [
    { role: 'user' as const, content: 'Do you sell rye bread?' },
    { role: 'assistant' as const, content: 'Yes, every morning.' },
    { role: 'user' as const, content: 'How much is a loaf?' },
  ],
};

export function streamRequest(overrides: Partial<StreamRequest> = {}): StreamRequest {
  return {
    model: 'test-model',
    ...PROMPT,
    maxOutputTokens: 500,
    signal: new AbortController().signal,
    ...overrides,
  };
}

export function runStream(provider: ChatProvider, overrides: Partial<StreamRequest> = {}, options: CollectOptions = {}): Promise<Collected> {
  return collect(provider.stream(streamRequest(overrides)), options);
}
