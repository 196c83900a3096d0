import { html, LitElement } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { field } from '../../components/field/field';
import { ApiError, type Api } from '../../lib/api';
import { toast } from '../../lib/events';
import { parseCredits } from '../../lib/format';
import { sharedStyles } from '../../styles/shared';

/**
 * A manual adjustment: credits in (positive) or out (negative), always with a reason, which the
 * ledger records with who made it.
 *
 * @event parley-adjusted - the adjustment was booked
 */
@customElement('parley-adjust-form')
export class ParleyAdjustForm extends LitElement {
  static override styles = sharedStyles;

  /** The API client. */
  @property({ attribute: false }) api!: Api;
  /** The visitor to adjust. */
  @property() visitorId = '';
  /** Disabled for analysts. */
  @property({ type: Boolean }) disabled = false;

  @state() private errors: Record<string, string> = {};
  @state() private busy = false;

  private async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const d = new FormData(form);
    const amount = parseCredits(String(d.get('amount') ?? ''));
    const reason = String(d.get('reason') ?? '').trim();
    const errors: Record<string, string> = {};
    if (amount === undefined || amount === 0) errors.amount = 'Credits to add (e.g. 5) or take away (e.g. -2.5), not zero';
    if (!reason) errors.reason = 'Say why: it is shown in the statement and kept with your name';
    this.errors = errors;
    if (Object.keys(errors).length) return;
    this.busy = true;
    try {
      await this.api.post(`/api/visitors/${this.visitorId}/adjustments`, { amount, reason });
      form.reset();
      toast(this, 'success', 'Adjustment booked');
      this.dispatchEvent(new CustomEvent('parley-adjusted', { bubbles: true, composed: true }));
    } catch (err) {
      this.errors = err instanceof ApiError && err.problems.length ? err.fields : { amount: (err as Error).message };
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const e = this.errors;
    return html`<form @submit=${this.submit} novalidate aria-label="Manual adjustment"><fieldset ?disabled=${this.disabled || this.busy} class="fields-2">
      ${field({ id: 'adj-amount', label: 'Credits (+ to give, − to take)', error: e.amount }, (a) =>
        html`<input id=${a.id} name="amount" inputmode="decimal" placeholder="5 or -2.5" aria-describedby=${a.describedBy} aria-invalid=${a.invalid} />`)}
      ${field({ id: 'adj-reason', label: 'Reason (required)', error: e.reason }, (a) =>
        html`<input id=${a.id} name="reason" maxlength="500" placeholder="Goodwill after an outage" aria-describedby=${a.describedBy} aria-invalid=${a.invalid} />`)}
    </fieldset><div><button class="primary" ?disabled=${this.disabled || this.busy}>Book adjustment</button></div></form>`;
  }
}
