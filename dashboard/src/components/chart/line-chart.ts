import { css, html, LitElement, nothing, svg } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { labelStride, niceScale } from './scale';

export interface ChartSeries {
  name: string;
  values: number[];
}

const height = 220;
const pad = { top: 12, right: 12, bottom: 28, left: 64 };

/**
 * A line chart drawn as SVG, sized to its container. Hover or focus it and use the arrow keys to
 * read each point; the values are announced. No library: the dashboard's bundle stays small.
 * Colours come from classes (s0..s3), never inline styles: the dashboard's CSP allows none.
 *
 * @csspart svg - the drawing
 * @cssprop --parley-chart-1 - colour of the first series (and -2, -3, -4)
 */
@customElement('parley-line-chart')
export class ParleyLineChart extends LitElement {
  static override styles = css`
    :host { display: block; position: relative; font: 12px var(--parley-font); color: var(--parley-muted); }
    svg { display: block; width: 100%; height: ${height}px; overflow: visible; }
    svg:focus-visible { outline: none; box-shadow: var(--parley-focus); border-radius: 4px; }
    .grid { stroke: var(--parley-border); }
    .tip { position: absolute; top: 0; pointer-events: none; background: var(--parley-text); color: #fff; border-radius: 6px; padding: 6px 8px;
      font-size: 12px; white-space: nowrap; transform: translateX(-50%); }
    .legend { display: flex; gap: 14px; flex-wrap: wrap; margin-top: 6px; }
    .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
    .s0 { --c: var(--parley-chart-1); } .s1 { --c: var(--parley-chart-2); } .s2 { --c: var(--parley-chart-3); } .s3 { --c: var(--parley-chart-4); }
    polyline { fill: none; stroke: var(--c); }
    circle { fill: var(--c); }
    .swatch { background: var(--c); }
  `;

  /** One label per point, already formatted (e.g. "Nov 21"). */
  @property({ attribute: false }) labels: string[] = [];
  /** The lines to draw; all have `labels.length` values. */
  @property({ attribute: false }) series: ChartSeries[] = [];
  /** Formats a value for the axis and the read-out. */
  @property({ attribute: false }) format: (value: number) => string = (v) => v.toLocaleString('en-US');
  /** What the chart shows, for screen readers. */
  @property() label = '';

  @state() private width = 640;
  @query('.tip') private tip: HTMLElement | undefined;
  @state() private active: number | undefined;
  private observer = new ResizeObserver(([entry]) => {
    if (entry) this.width = Math.max(240, Math.round(entry.contentRect.width));
  });

  override connectedCallback(): void {
    super.connectedCallback();
    this.observer.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.observer.disconnect();
  }

  private cls = (i: number): string => `s${i % 4}`;

  /** The read-out follows the point through CSSOM (allowed by CSP, unlike a style attribute). */
  override updated(): void {
    if (this.tip && this.active !== undefined) this.tip.style.left = `${(this.x(this.active) / this.width) * 100}%`;
  }

  private x(i: number): number {
    const n = this.labels.length;
    const inner = this.width - pad.left - pad.right;
    return pad.left + (n <= 1 ? inner / 2 : (inner * i) / (n - 1));
  }

  private onPointer(event: PointerEvent): void {
    const box = (event.currentTarget as SVGElement).getBoundingClientRect();
    const px = ((event.clientX - box.left) / box.width) * this.width;
    const n = this.labels.length;
    const inner = this.width - pad.left - pad.right;
    this.active = n ? Math.min(n - 1, Math.max(0, Math.round(((px - pad.left) / inner) * (n - 1)))) : undefined;
  }

  private onKey(event: KeyboardEvent): void {
    const n = this.labels.length;
    if (!n) return;
    const moves: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, Home: -n, End: n };
    if (event.key === 'Escape') this.active = undefined;
    if (!(event.key in moves)) return;
    event.preventDefault();
    this.active = Math.min(n - 1, Math.max(0, (this.active ?? -1) + moves[event.key]!));
  }

  override render() {
    const max = Math.max(0, ...this.series.flatMap((s) => s.values));
    const { top, step } = niceScale(max);
    const y = (v: number) => pad.top + (height - pad.top - pad.bottom) * (1 - v / top);
    const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step);
    const stride = labelStride(this.labels.length, this.width - pad.left - pad.right);
    const a = this.active;
    return html`
      <svg part="svg" viewBox="0 0 ${this.width} ${height}" role="img" tabindex="0" aria-label=${this.label}
        @pointermove=${this.onPointer} @pointerleave=${() => (this.active = undefined)} @keydown=${this.onKey} @blur=${() => (this.active = undefined)}>
        ${ticks.map((t) => svg`<line class="grid" x1=${pad.left} x2=${this.width - pad.right} y1=${y(t)} y2=${y(t)}></line>
          <text x=${pad.left - 8} y=${y(t) + 4} text-anchor="end" fill="currentColor">${this.format(t)}</text>`)}
        ${this.labels.map((l, i) => (i % stride === 0 ? svg`<text x=${this.x(i)} y=${height - 8} text-anchor="middle" fill="currentColor">${l}</text>` : nothing))}
        ${this.series.map((s, si) => svg`<polyline class=${this.cls(si)} stroke-width="2" stroke-linejoin="round"
          points=${s.values.map((v, i) => `${this.x(i)},${y(v)}`).join(' ')}></polyline>`)}
        ${a === undefined ? nothing : svg`<line class="grid" x1=${this.x(a)} x2=${this.x(a)} y1=${pad.top} y2=${height - pad.bottom}></line>
          ${this.series.map((s, si) => svg`<circle class=${this.cls(si)} cx=${this.x(a)} cy=${y(s.values[a] ?? 0)} r="4"></circle>`)}`}
      </svg>
      <div aria-live="polite">
        ${a === undefined ? nothing : html`<div class="tip">
          <strong>${this.labels[a]}</strong>${this.series.map((s) => html`<div>${s.name}: ${this.format(s.values[a] ?? 0)}</div>`)}
        </div>`}
      </div>
      ${this.series.length > 1
        ? html`<div class="legend">${this.series.map((s, i) => html`<span><span class="swatch ${this.cls(i)}"></span>${s.name}</span>`)}</div>`
        : nothing}
    `;
  }
}
