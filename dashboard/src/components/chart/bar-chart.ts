import { css, html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';

export interface BarRow {
  label: string;
  value: number;
  /** The value as text (e.g. "1,234 · 42%"). */
  display: string;
}

/**
 * Horizontal bars, one per row, each an SVG rectangle scaled to the largest value. Used for the
 * breakdowns and the funnel; the numbers stay readable as text beside each bar.
 *
 * @cssprop --parley-chart-1 - bar colour
 */
@customElement('parley-bar-chart')
export class ParleyBarChart extends LitElement {
  static override styles = css`
    :host { display: block; font: 14px var(--parley-font); }
    ol { list-style: none; margin: 0; padding: 0; display: grid; gap: 10px; }
    .head { display: flex; justify-content: space-between; gap: 8px; margin-bottom: 4px; }
    .value { color: var(--parley-muted); font-variant-numeric: tabular-nums; }
    svg { display: block; width: 100%; height: 12px; }
    .track { fill: var(--parley-bg); }
    .bar { fill: var(--parley-chart-1); }
  `;

  /** The rows, in display order. */
  @property({ attribute: false }) rows: BarRow[] = [];
  /** What the chart shows, for screen readers. */
  @property() label = '';

  override render() {
    const max = Math.max(0, ...this.rows.map((r) => r.value));
    return html`<ol aria-label=${this.label}>
      ${this.rows.map(
        (r) => html`<li>
          <div class="head"><span>${r.label}</span><span class="value">${r.display}</span></div>
          <svg viewBox="0 0 100 12" preserveAspectRatio="none" aria-hidden="true">
            <rect class="track" x="0" y="0" width="100" height="12" rx="3"></rect>
            <rect class="bar" x="0" y="0" width=${max > 0 ? Math.max(0.5, (r.value / max) * 100) : 0} height="12" rx="3"></rect>
          </svg>
        </li>`,
      )}
    </ol>`;
  }
}
