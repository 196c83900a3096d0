/**
 * The price arithmetic the server uses (ledger/pricing.ts), for showing prices as they are typed:
 * fee + ceil(in x inRate / 1000) + ceil(out x outRate / 1000) millicredits per turn, and the
 * provider's cost from its per-1M-token rates in micro-units.
 */
export interface PriceInputs {
  messageFee: number;
  inputPer1k: number;
  outputPer1k: number;
  inputCostPer1mMicros: number;
  outputCostPer1mMicros: number;
}

export function turnPrice(p: PriceInputs, inputTokens: number, outputTokens: number): number {
  return p.messageFee + Math.ceil((inputTokens * p.inputPer1k) / 1000) + Math.ceil((outputTokens * p.outputPer1k) / 1000);
}

export function turnCostMicros(p: PriceInputs, inputTokens: number, outputTokens: number): number {
  return Math.round((inputTokens * p.inputCostPer1mMicros + outputTokens * p.outputCostPer1mMicros) / 1_000_000);
}

/** "0.15" dollars per 1M tokens -> 150000 micro-dollars; undefined when not a number. */
export function parseMicros(text: string): number | undefined {
  const m = /^\s*(\d{1,9})(?:\.(\d{0,6}))?\s*$/.exec(text);
  return m ? Number(m[1]) * 1_000_000 + Number((m[2] ?? '').padEnd(6, '0')) : undefined;
}

export const microsText = (micros: number): string => (micros / 1_000_000).toFixed(6).replace(/\.?0+$/, '') || '0';
