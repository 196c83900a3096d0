import { css, html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { WidgetSettings } from '../../../../server/src/wire/dashboard';

/**
 * The real widget, live, in a frame of this site (/dashboard/preview.html), loaded with the
 * workspace's publishable key. `theme` and `strings` are the settings being edited and not yet
 * saved: the preview page lays them over the configuration the widget fetches, so what you see is
 * what visitors will see after saving. Chatting here is real (a real visitor, real credits).
 *
 * @csspart frame - the iframe
 */
@customElement('parley-widget-preview')
export class ParleyWidgetPreview extends LitElement {
  static override styles = css`
    :host { display: block; }
    iframe { width: 100%; height: var(--parley-preview-height, 620px); border: 1px solid var(--parley-border); border-radius: var(--parley-radius); background: #fff; }
  `;

  /** The publishable key (pk_…) the preview uses. */
  @property() key = '';
  /** Unsaved theme to show instead of the saved one. */
  @property({ attribute: false }) theme: Partial<WidgetSettings['theme']> | undefined;
  /** Unsaved strings to show instead of the saved ones. */
  @property({ attribute: false }) strings: Partial<WidgetSettings['strings']> | undefined;
  /** Bump to reload the frame after saving something the widget shows (personas, models). */
  @property({ type: Number }) revision = 0;
  /** Accessible name of the frame. */
  @property() label = 'Widget preview';

  private src = '';
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** The frame reloads when the look changes, debounced so typing a colour does not flicker it. */
  override willUpdate(): void {
    const params = new URLSearchParams({ key: this.key, r: String(this.revision) });
    if (this.theme) params.set('theme', JSON.stringify(this.theme));
    if (this.strings) params.set('strings', JSON.stringify(this.strings));
    const next = `/dashboard/preview.html?${params}`;
    if (next === this.src) return;
    clearTimeout(this.timer);
    if (!this.src) this.src = next;
    else this.timer = setTimeout(() => {
      this.src = next;
      this.requestUpdate();
    }, 400);
  }

  override render() {
    return this.key
      ? html`<iframe part="frame" title=${this.label} src=${this.src}></iframe>`
      : html`<p>No active publishable key: create one on the API keys page to preview the widget.</p>`;
  }
}
