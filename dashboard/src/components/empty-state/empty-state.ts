import { css, html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';

/**
 * What a page shows when there is nothing yet: what this is, and what to do next.
 *
 * @slot - the explanation
 * @slot action - the next step (a button or link)
 */
@customElement('parley-empty-state')
export class ParleyEmptyState extends LitElement {
  static override styles = css`
    :host { display: block; text-align: center; padding: 32px 16px; color: var(--parley-muted); }
    h3 { color: var(--parley-text); margin: 0 0 6px; font-size: 1.05rem; }
    ::slotted([slot='action']) { margin-top: 14px; }
  `;

  /** The one-line title, e.g. "No personas yet". */
  @property() heading = '';

  override render() {
    return html`<h3>${this.heading}</h3><div><slot></slot></div><div><slot name="action"></slot></div>`;
  }
}
