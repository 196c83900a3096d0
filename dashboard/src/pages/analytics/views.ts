import { html, nothing } from 'lit';
import type { Funnel, InsufficientCredits, ModelUsage, PersonaUsage, Series, Summary } from '../../../../server/src/wire/dashboard';
import type { ChartSeries } from '../../components/chart/line-chart';
import { credits, integer, micros, minorDigits, money, percent } from '../../lib/format';

/** Render helpers of the analytics page: KPI cards, charts' series, tables. Pure functions of the data. */

const kpi = (label: string, value: unknown, note: unknown = nothing) =>
  html`<div class="kpi" role="group" aria-label=${label}><div class="kpi-label">${label}</div><div class="kpi-value">${value}</div><div class="muted">${note}</div></div>`;

export function kpis(s: Summary) {
  const list = (items: string[]) => (items.length ? items.join(' · ') : '–');
  return html`<div class="kpis">
    ${kpi('Conversations', integer(s.conversations))}
    ${kpi('Messages', integer(s.messages))}
    ${kpi('Active visitors', integer(s.activeVisitors))}
    ${kpi('Paying visitors', integer(s.payingVisitors), `${integer(s.purchases)} purchases`)}
    ${kpi('Credits sold', credits(s.creditsSold))}
    ${kpi('Credits spent', credits(s.creditsSpent))}
    ${kpi('Revenue', list(s.revenue.map((r) => money(r.netMinor, r.currency))), s.revenue.some((r) => r.refundedMinor) ? `after ${list(s.revenue.map((r) => money(r.refundedMinor, r.currency)))} refunded` : nothing)}
    ${kpi('Provider cost', list(s.providerCost.map((c) => micros(c.micros, c.currency))))}
    ${kpi('Gross margin', list(s.grossMargin.map((m) => money(m.marginMinor, m.currency))), list(s.grossMargin.filter((m) => m.marginPct !== null).map((m) => `${m.marginPct}% of ${m.currency} revenue`)))}
  </div>`;
}

/** "Nov 21", "Nov 21 14:00" or "week of Nov 17", in the range's own (local) terms. */
export function bucketLabel(bucket: string, granularity: Series['granularity']): string {
  const [date = '', time = ''] = bucket.split('T');
  const [, m = '1', d = '1'] = date.split('-');
  const month = new Date(Date.UTC(2000, Number(m) - 1, 1)).toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const day = `${month} ${Number(d)}`;
  return granularity === 'hour' ? `${day} ${time}` : granularity === 'week' ? `wk ${day}` : day;
}

export function usageSeries(series: Series): ChartSeries[] {
  return [
    { name: 'Messages', values: series.data.map((p) => p.messages) },
    { name: 'Conversations', values: series.data.map((p) => p.conversations) },
    { name: 'Active visitors', values: series.data.map((p) => p.activeVisitors) },
  ];
}

export function creditSeries(series: Series): ChartSeries[] {
  return [
    { name: 'Credits sold', values: series.data.map((p) => p.creditsSold / 1000) },
    { name: 'Credits spent', values: series.data.map((p) => p.creditsSpent / 1000) },
  ];
}

/** Revenue per currency and provider cost, in major units (the chart is for shape; the KPIs hold exact sums). */
export function moneySeries(series: Series, costCurrency: string): ChartSeries[] {
  const currencies = [...new Set(series.data.flatMap((p) => Object.keys(p.revenue)))].sort();
  return [
    ...currencies.map((c) => ({ name: `Revenue ${c}`, values: series.data.map((p) => (p.revenue[c] ?? 0) / 10 ** minorDigits(c)) })),
    { name: `Provider cost ${costCurrency}`, values: series.data.map((p) => p.providerCostMicros / 1_000_000) },
  ];
}

export function usageTable(rows: ModelUsage['data'] | PersonaUsage['data'], what: string) {
  if (!rows.length) return html`<p class="muted">No replies in this period.</p>`;
  return html`<parley-bar-chart label="Credits spent by ${what}" .rows=${rows.map((r) => ({ label: r.name, value: r.creditsSpent, display: `${credits(r.creditsSpent)} cr` }))}></parley-bar-chart>
    <div class="table-wrap"><table><thead><tr><th>${what}</th>${'conversations' in (rows[0] ?? {}) ? html`<th class="num">Conversations</th>` : nothing}
      <th class="num">Replies</th><th class="num">Visitors</th><th class="num">Tokens in / out</th><th class="num">Credits spent</th><th class="num">Provider cost</th></tr></thead>
    <tbody>${rows.map((r) => html`<tr><td>${r.name}</td>${'conversations' in r ? html`<td class="num">${integer(r.conversations)}</td>` : nothing}
      <td class="num">${integer(r.replies)}</td><td class="num">${integer(r.visitors)}</td><td class="num">${integer(r.inputTokens)} / ${integer(r.outputTokens)}</td>
      <td class="num">${credits(r.creditsSpent)}</td><td class="num">${r.costCurrency ? micros(r.providerCostMicros, r.costCurrency) : '–'}</td></tr>`)}</tbody></table></div>`;
}

const stepNames: Record<Funnel['data'][number]['step'], string> = {
  opened: 'Opened the widget', first_message: 'Sent a first message', first_purchase: 'Bought a pack', repeat_purchase: 'Bought again',
};

export function funnelView(funnel: Funnel) {
  return html`<parley-bar-chart label="Funnel" .rows=${funnel.data.map((s) => ({
    label: stepNames[s.step], value: s.visitors,
    display: `${integer(s.visitors)}${s.step === 'opened' ? '' : ` · ${percent(s.rateFromPrevious)} of previous`}`,
  }))}></parley-bar-chart><p class="muted">Visitors whose widget first opened in this period, followed until today.</p>`;
}

export function insufficientView(v: InsufficientCredits) {
  return html`<p><strong>${percent(v.conversionRate)}</strong> of visitors who ran out of credits bought a pack within ${v.windowHours} hours
    (${integer(v.converted)} of ${integer(v.visitors)}; ${integer(v.prompts)} prompts shown)${v.medianMinutesToPurchase !== null ? html`, after ${v.medianMinutesToPurchase} minutes (median)` : nothing}.</p>`;
}
