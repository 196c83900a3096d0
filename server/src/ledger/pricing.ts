/**
 * The one pricing function, used for the estimate before a turn and for its settlement after.
 *
 * A turn costs `fee + ceil(in × inRate / 1000) + ceil(out × outRate / 1000)` millicredits, rates
 * being millicredits per 1,000 tokens. Each token term is rounded up on its own (never in the
 * visitor's disfavour by more than 1 millicredit per term, and never to zero for a non-free turn).
 * Everything is integer arithmetic (BigInt inside): no float ever touches an amount.
 */
export interface Price {
  /** Millicredits per message (per turn). */
  messageFee: number;
  /** Millicredits per 1,000 input (prompt) tokens. */
  inputPer1k: number;
  /** Millicredits per 1,000 output (reply) tokens. */
  outputPer1k: number;
}

/** ceil(a / b) for a >= 0, b > 0, in integers. */
export function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

function checkCount(name: string, value: number): bigint {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative safe integer`);
  return BigInt(value);
}

function toSafeNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('cost exceeds the safe integer range');
  return Number(value);
}

function tokenCost(tokens: bigint, per1k: bigint): bigint {
  return ceilDiv(tokens * per1k, 1000n);
}

export function turnCost({ price, inputTokens, outputTokens }: { price: Price; inputTokens: number; outputTokens: number }): number {
  const fee = checkCount('messageFee', price.messageFee);
  const input = tokenCost(checkCount('inputTokens', inputTokens), checkCount('inputPer1k', price.inputPer1k));
  const output = tokenCost(checkCount('outputTokens', outputTokens), checkCount('outputPer1k', price.outputPer1k));
  return toSafeNumber(fee + input + output);
}

/**
 * The most output tokens a budget pays for after the fee and the prompt, capped by `cap` (the
 * model's own limit). 0 when the budget does not even cover the fee and the prompt.
 * ceil(out × r / 1000) <= rest  ⇔  out × r <= 1000 × rest  ⇔  out <= floor(1000 × rest / r).
 */
export function maxAffordableOutputTokens({ price, inputTokens, budget, cap = Number.MAX_SAFE_INTEGER }: {
  price: Price;
  inputTokens: number;
  budget: number;
  cap?: number;
}): number {
  const fixed = BigInt(turnCost({ price, inputTokens, outputTokens: 0 }));
  const rest = checkCount('budget', budget) - fixed;
  if (rest < 0n) return 0;
  const rate = checkCount('outputPer1k', price.outputPer1k);
  const limit = checkCount('cap', cap);
  if (rate === 0n) return Number(limit);
  const affordable = (rest * 1000n) / rate;
  return Number(affordable < limit ? affordable : limit);
}

/**
 * What a turn should ask the ledger to reserve: `min` covers the smallest acceptable reply,
 * `max` the longest the model may produce. Reserve both, then size the reply from what was held.
 */
export function turnReservation({ price, inputTokens, minOutputTokens, maxOutputTokens }: {
  price: Price;
  inputTokens: number;
  minOutputTokens: number;
  maxOutputTokens: number;
}): { min: number; max: number } {
  return {
    min: turnCost({ price, inputTokens, outputTokens: Math.min(minOutputTokens, maxOutputTokens) }),
    max: turnCost({ price, inputTokens, outputTokens: maxOutputTokens }),
  };
}
