import { css, html, LitElement } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { toast } from '../../lib/events';

/**
 * Copies `text` to the clipboard and says so ("Copied") where the button is.
 *
 * @csspart button - the button
 */
@customElement('parley-copy-button')
export class ParleyCopyButton extends LitElement {
  static override styles = css`
    button { font: inherit; font-weight: 600; border-radius: 6px; border: 1px solid var(--parley-border); background: var(--parley-surface);
      color: var(--parley-text); padding: 6px 12px; min-height: 34px; cursor: pointer; }
    button:focus-visible { outline: none; box-shadow: var(--parley-focus); }
  `;

  /** What to copy. */
  @property() text = '';
  /** The button's label before copying. */
  @property() label = 'Copy';

  @state() private copied = false;

  private async copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(this.text);
    } catch {
      // No clipboard permission (an insecure origin, a policy): fall back to a hidden selection.
      const area = document.createElement('textarea');
      area.value = this.text;
      area.setAttribute('readonly', '');
      area.style.position = 'fixed';
      area.style.opacity = '0';
      document.body.append(area);
      area.select();
      const ok = document.execCommand('copy');
      area.remove();
      if (!ok) {
        toast(this, 'error', 'Could not copy. Select the text and copy it by hand.');
        return;
      }
    }
    this.copied = true;
    setTimeout(() => (this.copied = false), 2000);
  }

  override render() {
    return html`<button part="button" @click=${this.copy} aria-live="polite">${this.copied ? 'Copied ✓' : this.label}</button>`;
  }
}
