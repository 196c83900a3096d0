// Importing the one encoding module (not the package root) loads a single BPE table, not all of them.
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import type { ChatMessage } from './types';

/**
 * Visitor text may contain strings such as `<|endoftext|>`. The tokenizer throws on special tokens
 * by default; an empty "disallowed" set makes it count them as the plain text they are.
 */
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

/**
 * OpenAI's token-counting guide (the "How to count tokens with tiktoken" cookbook) documents that
 * every chat message costs 3 tokens of framing (`<|start|>{role}<|message|>...<|end|>`) on top of
 * its role and content, and every reply is primed with 3 more (`<|start|>assistant<|message|>`).
 */
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_REPLY_PRIMING = 3;

/**
 * Tokens in a piece of text with the o200k_base encoding (GPT-4o and later). For other model
 * families (Claude, Llama) this is an estimate, close but not exact.
 */
export function countTextTokens(text: string): number {
  if (text.length === 0) return 0;
  return countTokens(text, PLAIN_TEXT);
}

export interface PromptToCount {
  system?: string;
  messages: readonly ChatMessage[];
}

/** Tokens the provider will bill as input for this prompt, including the per-message framing. */
export function countPromptTokens({ system, messages }: PromptToCount): number {
  let total = TOKENS_PER_REPLY_PRIMING;
  if (system !== undefined && system.length > 0) {
    total += TOKENS_PER_MESSAGE + countTextTokens('system') + countTextTokens(system);
  }
  for (const message of messages) {
    total += TOKENS_PER_MESSAGE + countTextTokens(message.role) + countTextTokens(message.content);
  }
  return total;
}
