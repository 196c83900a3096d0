import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Funnel, InsufficientCredits, ModelUsage, PersonaUsage, Preferences, Series, Summary } from '../../../../server/src/wire/dashboard';
import { LiveController } from '../../controllers/live';
import { Resource } from '../../controllers/resource';
import type { DashboardContext } from '../../lib/context';
import { credits, integer } from '../../lib/format';
import { loaded, pageHeader } from '../../lib/page';
import { sharedStyles } from '../../styles/shared';
import { presetRange, rangeProblem, rangeQuery, todayIn, type RangeState } from './range';
import { bucketLabel, creditSeries, funnelView, insufficientView, kpis, moneySeries, usageSeries, usageTable } from './views';

/** Usage, revenue and margin over a period, in the workspace's time zone, with CSV for every table. */
@customElement('parley-analytics-page')
export class ParleyAnalyticsPage extends LitElement {
  static override styles = [sharedStyles, css`
    .controls { display: flex; flex-wrap: wrap; gap: 12px; align-items: end; margin-bottom: 16px; }
    .controls label { display: grid; gap: 4px; font-size: 0.85rem; font-weight: 600; }
    .controls input, .controls select { width: auto; }
    .kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 12px; margin-bottom: 20px; }
    .kpi { background: var(--parley-surface); border: 1px solid var(--parley-border); border-radius: var(--parley-radius); padding: 14px; }
    .kpi-label { color: var(--parley-muted); font-size: 0.85rem; }
    .kpi-value { font-size: 1.35rem; font-weight: 700; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
    .csv { font-size: 0.85rem; }
  `];

  /** The signed-in workspace. */
  @property({ attribute: false }) ctx!: DashboardContext;

  @state() private range: RangeState | undefined;

  private readonly prefs = new Resource<Preferences>(this, {
    key: () => this.ctx.workspace.id,
    load: async (s) => {
      const prefs = await this.ctx.api.get<Preferences>('/api/workspace/preferences', s);
      this.range = { preset: '30', ...presetRange('30', prefs.timeZone) };
      return prefs;
    },
  });
  private readonly q = () => (this.range && this.prefs.value && !rangeProblem(this.range) ? rangeQuery(this.range, this.prefs.value.timeZone) : undefined);
  private table<T>(name: string, extra = () => '') {
    return new Resource<T>(this, {
      key: () => (this.q() ? `${this.ctx.workspace.id}|${this.q()}${extra()}` : undefined),
      load: (s) => (this.q() ? this.ctx.api.get<T>(`/api/analytics/${name}?${this.q()}${extra()}`, s) : new Promise<T>(() => undefined)),
    });
  }
  private readonly summary = this.table<Summary>('summary');
  private readonly series = this.table<Series>('timeseries', () => `&granularity=${this.range?.granularity ?? 'day'}`);
  private readonly models = this.table<ModelUsage>('models');
  private readonly personas = this.table<PersonaUsage>('personas');
  private readonly funnel = this.table<Funnel>('funnel');
  private readonly walls = this.table<InsufficientCredits>('insufficient-credits');
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    // Live: a new conversation or purchase refreshes the figures when the period includes today.
    const refresh = () => {
      if (!this.range || !this.prefs.value || this.range.to < todayIn(this.prefs.value.timeZone)) return;
      clearTimeout(this.refreshTimer);
      this.refreshTimer = setTimeout(() => [this.summary, this.series, this.models, this.personas, this.funnel, this.walls].forEach((r) => void r.reload()), 1500);
    };
    new LiveController(this, () => this.ctx?.live, 'conversation:new', refresh);
    new LiveController(this, () => this.ctx?.live, 'purchase:update', refresh);
  }

  private changeRange(patch: Partial<RangeState>): void {
    if (!this.range || !this.prefs.value) return;
    const next = { ...this.range, ...patch };
    if (patch.preset && patch.preset !== 'custom') Object.assign(next, presetRange(patch.preset, this.prefs.value.timeZone));
    this.range = next;
  }

  private csv(name: string, extra = '') {
    const q = this.q();
    return q ? html`<a class="csv" href="/api/analytics/${name}.csv?${q}${extra}" download>Download CSV</a>` : nothing;
  }

  private renderControls(r: RangeState, tz: string) {
    const problem = rangeProblem(r);
    return html`<div class="controls" role="group" aria-label="Period">
      <label>Period<select @change=${(e: Event) => this.changeRange({ preset: (e.target as HTMLSelectElement).value as RangeState['preset'] })}>
        ${(['7', '30', '90'] as const).map((p) => html`<option value=${p} ?selected=${r.preset === p}>Last ${p} days</option>`)}
        <option value="custom" ?selected=${r.preset === 'custom'}>Custom</option></select></label>
      <label>From<input type="date" .value=${r.from} @change=${(e: Event) => this.changeRange({ preset: 'custom', from: (e.target as HTMLInputElement).value })} /></label>
      <label>To<input type="date" .value=${r.to} @change=${(e: Event) => this.changeRange({ preset: 'custom', to: (e.target as HTMLInputElement).value })} /></label>
      <label>Per<select @change=${(e: Event) => this.changeRange({ granularity: (e.target as HTMLSelectElement).value as RangeState['granularity'] })}>
        ${(['hour', 'day', 'week'] as const).map((g) => html`<option ?selected=${r.granularity === g}>${g}</option>`)}</select></label>
      <span class="muted">Days in ${tz} (change it in <a href="/dashboard/settings">Settings</a>).</span>
      ${problem ? html`<span class="error" role="alert">${problem}</span>` : nothing}
    </div>`;
  }

  override render() {
    const prefs = this.prefs.value;
    const r = this.range;
    return html`${pageHeader(this.ctx, 'Analytics', 'Conversations, credits, revenue, what the AI cost you and what is left.')}
      ${loaded(this.prefs, 'preferences', () => (r && prefs ? this.renderControls(r, prefs.timeZone) : nothing))}
      <section aria-label="Key figures">${loaded(this.summary, 'figures', (s) => html`${kpis(s)}
        ${s.messages === 0 && s.purchases === 0 ? html`<div class="banner info">Nothing in this period yet. Once the widget is on your site (see <a href="/dashboard/embed">Embed</a>), chats and purchases show up here.</div>` : nothing}
        <p class="spread"><span></span>${this.csv('summary')}</p>`)}</section>
      ${loaded(this.series, 'the charts', (series) => {
        const labels = series.data.map((p) => bucketLabel(p.bucket, series.granularity));
        const costCurrency = this.summary.value?.providerCost[0]?.currency ?? 'USD';
        return html`<div class="grid-2">
          <section class="card"><div class="spread"><h2>Conversations and messages</h2>${this.csv('timeseries', `&granularity=${series.granularity}`)}</div>
            <parley-line-chart label="Conversations, messages and active visitors per ${series.granularity}" .labels=${labels} .series=${usageSeries(series)}></parley-line-chart></section>
          <section class="card"><h2>Credits sold and spent</h2>
            <parley-line-chart label="Credits sold and spent per ${series.granularity}" .labels=${labels} .series=${creditSeries(series)} .format=${(v: number) => credits(Math.round(v * 1000))}></parley-line-chart></section>
          <section class="card"><h2>Revenue and provider cost</h2>
            <parley-line-chart label="Revenue and provider cost per ${series.granularity}" .labels=${labels} .series=${moneySeries(series, costCurrency)} .format=${(v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 2 })}></parley-line-chart></section>
          <section class="card"><div class="spread"><h2>Funnel</h2>${this.csv('funnel')}</div>${loaded(this.funnel, 'the funnel', funnelView)}
            <div class="spread"><h3>Out of credits → purchase</h3>${this.csv('insufficient-credits')}</div>${loaded(this.walls, 'conversion', insufficientView)}</section>
        </div>`;
      })}
      <section class="card"><div class="spread"><h2>By model</h2>${this.csv('models')}</div>${loaded(this.models, 'models', (m) => usageTable(m.data, 'Model'))}</section>
      <section class="card"><div class="spread"><h2>By persona</h2>${this.csv('personas')}</div>${loaded(this.personas, 'personas', (p) => usageTable(p.data, 'Persona'))}</section>
      <p class="muted">Revenue counts purchases by the day they were paid, net of refunds. Provider cost uses each model's current cost per token. ${this.summary.value ? `${integer(this.summary.value.purchases)} purchases in the period.` : ''}</p>`;
  }
}
