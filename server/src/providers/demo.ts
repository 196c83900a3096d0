import { setTimeout as delay } from 'node:timers/promises';
import { countPromptTokens, countTextTokens } from './tokens';
import { ProviderError, type ChatMessage, type ChatProvider, type StreamEvent, type StreamRequest } from './types';

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export interface DemoProviderOptions {
  /** Pause between word-sized chunks. Default 30 ms; 0 in tests. */
  chunkIntervalMs?: number;
  /** Pause before the first chunk, as a real model "thinks". Default 400 ms; 0 in tests. */
  firstTokenMs?: number;
  /** Injected for tests; must reject when the signal fires. */
  sleep?: Sleep;
}

const defaultSleep: Sleep = async (ms, signal) => {
  await delay(ms, undefined, { signal });
};

/**
 * The offline provider `npm start` uses with no AI keys: deterministic, clearly labelled, paced
 * like a real model, and counting its usage with the same tokenizer the ledger estimates with.
 */
export function createDemoProvider(options: DemoProviderOptions = {}): ChatProvider {
  const chunkIntervalMs = options.chunkIntervalMs ?? 30;
  const firstTokenMs = options.firstTokenMs ?? 400;
  const sleep = options.sleep ?? defaultSleep;
  return {
    name: 'demo',
    stream: (request) => streamDemoReply({ request, chunkIntervalMs, firstTokenMs, sleep }),
  };
}

interface StreamDemoReplyOptions {
  request: StreamRequest;
  chunkIntervalMs: number;
  firstTokenMs: number;
  sleep: Sleep;
}

async function* streamDemoReply({ request, chunkIntervalMs, firstTokenMs, sleep }: StreamDemoReplyOptions): AsyncGenerator<StreamEvent> {
  const { signal, maxOutputTokens } = request;
  let sent = '';
  const pause = async (ms: number): Promise<void> => {
    try {
      if (ms > 0) await sleep(ms, signal);
      signal.throwIfAborted();
    } catch {
      throw new ProviderError('aborted', 'The demo reply was aborted', sent.length === 0);
    }
  };
  await pause(firstTokenMs);
  for (const chunk of splitIntoChunks(composeDemoReply(request))) {
    // Counting the whole prefix (not chunk by chunk) gives exactly what the ledger will count.
    if (countTextTokens(sent + chunk) > maxOutputTokens) break;
    if (sent.length > 0) await pause(chunkIntervalMs);
    sent += chunk;
    yield { type: 'delta', text: chunk };
  }
  const inputTokens = countPromptTokens({ system: request.system, messages: request.messages });
  yield { type: 'usage', usage: { inputTokens, outputTokens: countTextTokens(sent), reported: true } };
}

/** Word-sized pieces, each keeping the whitespace before it, so they join back to the original. */
export function splitIntoChunks(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? [];
}

const TIPS = [
  'Replies are charged per token, so a short question costs less than a long one.',
  'Press stop at any time: only the words already delivered are charged.',
  'Each persona can offer different models at different credit prices.',
  'Credits are held before a reply starts and settled at the real cost afterwards.',
];

/** The same conversation always yields the same reply. */
export function composeDemoReply({ system, messages }: { system?: string; messages: readonly ChatMessage[] }): string {
  const question = lastUserMessage(messages);
  const tip = TIPS[hashText(`${system ?? ''}\n${messages.map((m) => `${m.role}:${m.content}`).join('\n')}`) % TIPS.length];
  const turn = messages.filter((m) => m.role === 'user').length;
  return [
    `[Demo reply] You asked: "${question}"`,
    '',
    'This answer comes from Parley\'s built-in **demo provider**: no AI model was called. ' +
      `This is message ${turn} of the conversation. What a real model would do here:`,
    '',
    '- stream its answer word by word, as this one does;',
    '- report its `input_tokens` and `output_tokens`, which set the price of the turn;',
    '- stop at the credit limit the visitor can afford.',
    '',
    `Tip: ${tip}`,
    '',
    'To use a real model, set `OPENAI_API_KEY` or `ANTHROPIC_API_KEY` and restart with `npm start`.',
  ].join('\n');
}

function lastUserMessage(messages: readonly ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i -= 1) {
    const message = messages[i];
    if (message?.role === 'user') {
      const flat = message.content.replace(/\s+/g, ' ').trim();
      return flat.length > 160 ? `${flat.slice(0, 157)}...` : flat;
    }
  }
  return '';
}

/** FNV-1a: tiny, stable across runs and platforms (unlike anything seeded per process). */
function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
