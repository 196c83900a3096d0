import { css, html, LitElement } from 'lit';
import { customElement, state } from 'lit/decorators.js';

interface Toast {
  id: number;
  kind: 'success' | 'error' | 'info';
  message: string;
}

/**
 * Short messages after an action ("Saved", "Could not save: ... Your change was undone.").
 * A polite live region announces them; errors stay longer and each can be dismissed.
 *
 * @csspart toast - one message
 */
@customElement('parley-toaster')
export class ParleyToaster extends LitElement {
  static override styles = css`
    :host { position: fixed; right: 16px; bottom: 16px; z-index: 50; display: grid; gap: 8px; max-width: min(420px, calc(100vw - 32px)); }
    .toast { display: flex; gap: 12px; align-items: start; padding: 12px 14px; border-radius: var(--parley-radius); background: var(--parley-text);
      color: #fff; box-shadow: 0 8px 24px rgb(0 0 0 / 18%); font: 14px/1.4 var(--parley-font); }
    .toast.error { background: var(--parley-danger); }
    .toast.success { background: var(--parley-success); }
    button { margin-left: auto; background: none; border: 0; color: inherit; font: inherit; cursor: pointer; padding: 0 4px; }
    button:focus-visible { outline: 2px solid #fff; }
  `;

  @state() private toasts: Toast[] = [];
  private next = 1;

  /** Shows a message; errors stay 10 s, others 5 s. */
  show(kind: Toast['kind'], message: string): void {
    const toast = { id: this.next++, kind, message };
    this.toasts = [...this.toasts, toast].slice(-4);
    setTimeout(() => this.dismiss(toast.id), kind === 'error' ? 10_000 : 5_000);
  }

  private dismiss(id: number): void {
    this.toasts = this.toasts.filter((t) => t.id !== id);
  }

  override render() {
    return html`<div role="status" aria-live="polite">
      ${this.toasts.map(
        (t) => html`<div class="toast ${t.kind}" part="toast" data-kind=${t.kind}>
          <span>${t.message}</span>
          <button aria-label="Dismiss" @click=${() => this.dismiss(t.id)}>×</button>
        </div>`,
      )}
    </div>`;
  }
}
