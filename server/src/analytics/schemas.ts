import { z } from 'zod';

/** Response shapes of the analytics API; amounts are integers (millicredits, minor units, micros). */
const count = z.number().int().min(0);
const mc = (what: string) => z.number().int().describe(`${what}, in millicredits`);

export const rangeEcho = z.object({ from: z.iso.date(), to: z.iso.date(), tz: z.string() });

export const revenueRow = z.object({
  currency: z.string(),
  grossMinor: z.number().int(),
  refundedMinor: z.number().int(),
  netMinor: z.number().int(),
});
export const costRow = z.object({ currency: z.string(), micros: z.number().int().describe('Micro-units (1 USD = 1,000,000)') });
export const marginRow = z.object({
  currency: z.string(),
  revenueMinor: z.number().int(),
  costMinor: z.number().int(),
  marginMinor: z.number().int(),
  marginPct: z.number().nullable(),
});

export const summaryView = z.object({
  range: rangeEcho,
  conversations: count,
  messages: count.describe("Visitors' messages (one per turn)"),
  activeVisitors: count,
  payingVisitors: count,
  purchases: count,
  creditsSold: mc('Credits sold'),
  creditsSpent: mc('Credits spent on replies'),
  revenue: z.array(revenueRow),
  providerCost: z.array(costRow),
  grossMargin: z.array(marginRow),
});

export const seriesPoint = z.object({
  bucket: z.string().describe('Local start of the bucket, YYYY-MM-DDTHH:mm'),
  conversations: count,
  messages: count,
  activeVisitors: count,
  creditsSpent: mc('Spent'),
  creditsSold: mc('Sold'),
  purchases: count,
  providerCostMicros: z.number().int(),
  revenue: z.record(z.string(), z.number().int()).describe('Net revenue in minor units by currency'),
});
export const seriesView = z.object({ range: rangeEcho, granularity: z.enum(['hour', 'day', 'week']), data: z.array(seriesPoint) });

export const usageRow = z.object({
  id: z.uuid().nullable(),
  name: z.string(),
  replies: count,
  visitors: count,
  inputTokens: count,
  outputTokens: count,
  creditsSpent: mc('Spent'),
  providerCostMicros: z.number().int(),
  costCurrency: z.string().nullable(),
});
export const modelsView = z.object({ range: rangeEcho, data: z.array(usageRow) });
export const personasView = z.object({ range: rangeEcho, data: z.array(usageRow.extend({ conversations: count })) });

export const funnelView = z.object({
  range: rangeEcho,
  data: z.array(z.object({
    step: z.enum(['opened', 'first_message', 'first_purchase', 'repeat_purchase']),
    visitors: count,
    rateFromPrevious: z.number().nullable(),
    rateFromStart: z.number().nullable(),
  })),
});

export const insufficientView = z.object({
  range: rangeEcho,
  windowHours: z.number().int(),
  prompts: count.describe('Insufficient-credits prompts shown'),
  visitors: count.describe('Visitors who saw at least one'),
  converted: count.describe('Of those, visitors who paid within the window after the first'),
  conversionRate: z.number().nullable(),
  medianMinutesToPurchase: z.number().nullable(),
});
