import { css, html, LitElement } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';

/**
 * A modal "are you sure?" on the native <dialog>: focus moves into it and back, Escape cancels.
 * Use `confirmAction(...)`, which resolves true only when the person confirmed.
 */
@customElement('parley-confirm')
export class ParleyConfirm extends LitElement {
  static override styles = css`
    dialog { border: 0; border-radius: var(--parley-radius); padding: 24px; max-width: 440px; font-family: var(--parley-font); color: var(--parley-text); }
    dialog::backdrop { background: rgb(17 24 39 / 45%); }
    h2 { margin: 0 0 8px; font-size: 1.1rem; }
    .actions { display: flex; justify-content: flex-end; gap: 8px; margin-top: 20px; }
    button { font: inherit; font-weight: 600; border-radius: 6px; border: 1px solid var(--parley-border); background: var(--parley-surface);
      padding: 8px 14px; cursor: pointer; }
    button.danger { background: var(--parley-danger); border-color: var(--parley-danger); color: #fff; }
    button:focus-visible { outline: none; box-shadow: var(--parley-focus); }
  `;

  /** The question. */
  @property() heading = '';
  /** What happens if confirmed. */
  @property() body = '';
  /** The confirm button's label, e.g. "Revoke key". */
  @property() confirmLabel = 'Confirm';

  @query('dialog') private dialog!: HTMLDialogElement;
  private resolve: (ok: boolean) => void = () => undefined;

  open(): Promise<boolean> {
    return new Promise((resolve) => {
      this.resolve = resolve;
      this.dialog.showModal();
    });
  }

  private close(ok: boolean): void {
    this.dialog.close();
    this.resolve(ok);
    this.remove();
  }

  override render() {
    return html`<dialog aria-labelledby="t" @cancel=${() => this.close(false)}>
      <h2 id="t">${this.heading}</h2>
      <p>${this.body}</p>
      <div class="actions">
        <button autofocus @click=${() => this.close(false)}>Cancel</button>
        <button class="danger" @click=${() => this.close(true)}>${this.confirmLabel}</button>
      </div>
    </dialog>`;
  }
}

export async function confirmAction(options: { heading: string; body: string; confirmLabel: string }): Promise<boolean> {
  const element = Object.assign(document.createElement('parley-confirm'), options);
  document.body.append(element);
  await element.updateComplete;
  return element.open();
}

declare global {
  interface HTMLElementTagNameMap {
    'parley-confirm': ParleyConfirm;
    'parley-toaster': import('../toaster/toaster').ParleyToaster;
  }
}
