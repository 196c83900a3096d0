import type { Pool } from 'pg';
import type { z } from 'zod';
import { byModel, byPersona } from './breakdowns';
import type { Cell } from './csv';
import { funnel, insufficientCredits } from './funnel';
import { microsToMinor } from './money';
import type { AnalyticsRange, Granularity } from './range';
import type { insufficientView, summaryView } from './schemas';
import { summary } from './summary';
import { timeseries } from './timeseries';

/**
 * Every analytics table once: how to compute it and how it reads as CSV. The routes serve each
 * as JSON and as CSV from this list, so every table the dashboard shows can be exported.
 */
export interface TableInput {
  db: Pool;
  range: AnalyticsRange;
  granularity: Granularity;
  windowHours: number;
}

export interface AnalyticsTable<T> {
  name: string;
  summary: string;
  compute(input: TableInput): Promise<T>;
  csv(value: T): { header: string[]; rows: Cell[][] };
}

type Summary = Omit<z.infer<typeof summaryView>, 'range'>;
type Insufficient = Omit<z.infer<typeof insufficientView>, 'range'>;

const summaryTable: AnalyticsTable<Summary> = {
  name: 'summary',
  summary: 'KPIs: conversations, messages, active and paying visitors, credits sold and spent, revenue, provider cost, gross margin',
  compute: ({ db, range }) => summary(db, range),
  csv: (s) => ({
    header: ['metric', 'currency', 'value'],
    rows: [
      ['conversations', null, s.conversations],
      ['messages', null, s.messages],
      ['active_visitors', null, s.activeVisitors],
      ['paying_visitors', null, s.payingVisitors],
      ['purchases', null, s.purchases],
      ['credits_sold_millicredits', null, s.creditsSold],
      ['credits_spent_millicredits', null, s.creditsSpent],
      ...s.revenue.map((r): Cell[] => ['revenue_net_minor', r.currency, r.netMinor]),
      ...s.providerCost.map((c): Cell[] => ['provider_cost_minor', c.currency, microsToMinor(c.micros, c.currency)]),
      ...s.grossMargin.map((m): Cell[] => ['gross_margin_minor', m.currency, m.marginMinor]),
    ],
  }),
};

const timeseriesTable: AnalyticsTable<Awaited<ReturnType<typeof timeseries>>> = {
  name: 'timeseries',
  summary: "Per hour, day or week (in the workspace's time zone): conversations, messages, visitors, credits, revenue, cost",
  compute: ({ db, range, granularity }) => timeseries(db, range, granularity),
  csv: (points) => {
    const currencies = [...new Set(points.flatMap((p) => Object.keys(p.revenue)))].sort();
    return {
      header: ['bucket', 'conversations', 'messages', 'active_visitors', 'credits_spent_millicredits', 'credits_sold_millicredits',
        'purchases', 'provider_cost_micros', ...currencies.map((c) => `revenue_net_minor_${c}`)],
      rows: points.map((p) => [p.bucket, p.conversations, p.messages, p.activeVisitors, p.creditsSpent, p.creditsSold, p.purchases,
        p.providerCostMicros, ...currencies.map((c) => p.revenue[c] ?? 0)]),
    };
  },
};

const usageHeader = ['id', 'name', 'replies', 'visitors', 'input_tokens', 'output_tokens', 'credits_spent_millicredits', 'provider_cost_micros', 'cost_currency'];
type Usage = Awaited<ReturnType<typeof byModel>>[number];
const usageCells = (u: Usage): Cell[] => [u.id, u.name, u.replies, u.visitors, u.inputTokens, u.outputTokens, u.creditsSpent, u.providerCostMicros, u.costCurrency];

const modelsTable: AnalyticsTable<Usage[]> = {
  name: 'models',
  summary: 'Replies, tokens, credits spent and provider cost by model',
  compute: ({ db, range }) => byModel(db, range),
  csv: (rows) => ({ header: usageHeader, rows: rows.map(usageCells) }),
};

const personasTable: AnalyticsTable<Awaited<ReturnType<typeof byPersona>>> = {
  name: 'personas',
  summary: 'Conversations, replies, tokens, credits spent and provider cost by persona',
  compute: ({ db, range }) => byPersona(db, range),
  csv: (rows) => ({ header: [...usageHeader, 'conversations'], rows: rows.map((r) => [...usageCells(r), r.conversations]) }),
};

const funnelTable: AnalyticsTable<Awaited<ReturnType<typeof funnel>>> = {
  name: 'funnel',
  summary: 'Visitors who first opened the widget in the range: sent a message, bought, bought again',
  compute: ({ db, range }) => funnel(db, range),
  csv: (steps) => ({
    header: ['step', 'visitors', 'rate_from_previous', 'rate_from_start'],
    rows: steps.map((s) => [s.step, s.visitors, s.rateFromPrevious, s.rateFromStart]),
  }),
};

const insufficientTable: AnalyticsTable<Insufficient> = {
  name: 'insufficient-credits',
  summary: 'How often an insufficient-credits prompt leads to a purchase within the window',
  compute: ({ db, range, windowHours }) => insufficientCredits(db, range, windowHours),
  csv: (v) => ({
    header: ['window_hours', 'prompts', 'visitors', 'converted', 'conversion_rate', 'median_minutes_to_purchase'],
    rows: [[v.windowHours, v.prompts, v.visitors, v.converted, v.conversionRate, v.medianMinutesToPurchase]],
  }),
};

export const analyticsTables = { summaryTable, timeseriesTable, modelsTable, personasTable, funnelTable, insufficientTable };
