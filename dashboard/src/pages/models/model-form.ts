import { html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { CatalogueModel } from '../../../../server/src/wire/dashboard';
import { field } from '../../components/field/field';
import { credits, micros, parseCredits } from '../../lib/format';
import { sharedStyles } from '../../styles/shared';
import { microsText, parseMicros, turnCostMicros, turnPrice, type PriceInputs } from './price';

export type ModelDraft = Omit<CatalogueModel, 'id' | 'archivedAt' | 'createdAt' | 'updatedAt'>;

/**
 * The model and price editor. Prices are typed in credits (the server keeps millicredits) and
 * provider costs in currency per 1M tokens (kept in micro-units); a sample message's price and
 * cost update as you type.
 *
 * @event parley-model-save - detail: ModelDraft
 * @event parley-model-cancel - closed without saving
 */
@customElement('parley-model-form')
export class ParleyModelForm extends LitElement {
  static override styles = sharedStyles;

  /** The model being edited; undefined for a new one. */
  @property({ attribute: false }) model: CatalogueModel | undefined;
  /** Validation messages from the server (or the form), by field. */
  @property({ attribute: false }) errors: Record<string, string> = {};
  /** Disabled for analysts and while saving. */
  @property({ type: Boolean }) disabled = false;

  @state() private sample = { input: 500, output: 300 };
  @state() private typed: Partial<Record<keyof PriceInputs, number>> = {};

  private value(name: keyof PriceInputs): number {
    return this.typed[name] ?? this.model?.[name] ?? 0;
  }

  private onInput(event: Event): void {
    const input = event.target as HTMLInputElement;
    const name = input.name as keyof PriceInputs;
    const parsed = name.endsWith('Micros') ? parseMicros(input.value) : parseCredits(input.value);
    if (parsed !== undefined) this.typed = { ...this.typed, [name]: parsed };
  }

  private submit(event: SubmitEvent): void {
    event.preventDefault();
    const d = new FormData(event.target as HTMLFormElement);
    const errors: Record<string, string> = {};
    const num = (name: string, parse: (t: string) => number | undefined) => {
      const v = parse(String(d.get(name) ?? ''));
      if (v === undefined || v < 0) errors[name] = 'A number of zero or more (at most 3 decimals for credits, 6 for costs)';
      return v ?? 0;
    };
    const draft: ModelDraft = {
      provider: String(d.get('provider')) as ModelDraft['provider'],
      providerModelId: String(d.get('providerModelId') ?? ''),
      displayName: String(d.get('displayName') ?? ''),
      messageFee: num('messageFee', parseCredits),
      inputPer1k: num('inputPer1k', parseCredits),
      outputPer1k: num('outputPer1k', parseCredits),
      inputCostPer1mMicros: num('inputCostPer1mMicros', parseMicros),
      outputCostPer1mMicros: num('outputCostPer1mMicros', parseMicros),
      costCurrency: String(d.get('costCurrency') ?? 'USD').toUpperCase(),
      maxOutputTokens: Number(d.get('maxOutputTokens')),
      enabled: d.get('enabled') === 'on',
    };
    if (Object.keys(errors).length) this.errors = errors;
    else this.dispatchEvent(new CustomEvent('parley-model-save', { detail: draft, bubbles: true, composed: true }));
  }

  override render() {
    const m = this.model;
    const e = this.errors;
    const inputs: PriceInputs = {
      messageFee: this.value('messageFee'), inputPer1k: this.value('inputPer1k'), outputPer1k: this.value('outputPer1k'),
      inputCostPer1mMicros: this.value('inputCostPer1mMicros'), outputCostPer1mMicros: this.value('outputCostPer1mMicros'),
    };
    const currency = m?.costCurrency ?? 'USD';
    const creditInput = (id: string, name: keyof PriceInputs, label: string, hint: string) =>
      field({ id, label, error: e[name], hint }, (a) => html`<input id=${a.id} name=${name} inputmode="decimal" .defaultValue=${credits(m?.[name] ?? 0)}
        @input=${this.onInput} aria-describedby=${a.describedBy} aria-invalid=${a.invalid} />`);
    const costInput = (id: string, name: keyof PriceInputs, label: string) =>
      field({ id, label, error: e[name] }, (a) => html`<input id=${a.id} name=${name} inputmode="decimal" .defaultValue=${microsText(m?.[name] ?? 0)}
        @input=${this.onInput} aria-describedby=${a.describedBy} aria-invalid=${a.invalid} />`);
    return html`<form @submit=${this.submit} novalidate aria-label=${m ? `Edit ${m.displayName}` : 'New model'}><fieldset ?disabled=${this.disabled}>
      <div class="fields-2">
        ${field({ id: 'm-provider', label: 'Provider', error: e.provider }, (a) => html`<select id=${a.id} name="provider" aria-describedby=${a.describedBy}>
          ${(['demo', 'openai', 'anthropic'] as const).map((p) => html`<option ?selected=${p === (m?.provider ?? 'demo')}>${p}</option>`)}</select>`)}
        ${field({ id: 'm-id', label: "Provider's model name", error: e.providerModelId, hint: 'e.g. gpt-4o-mini, claude-sonnet-4-5, demo' }, (a) =>
          html`<input id=${a.id} name="providerModelId" .defaultValue=${m?.providerModelId ?? ''} aria-describedby=${a.describedBy} aria-invalid=${a.invalid} />`)}
        ${field({ id: 'm-name', label: 'Name shown to visitors', error: e.displayName }, (a) =>
          html`<input id=${a.id} name="displayName" .defaultValue=${m?.displayName ?? ''} aria-describedby=${a.describedBy} aria-invalid=${a.invalid} />`)}
      </div>
      <h3>Price to visitors (credits)</h3>
      <div class="fields-2">
        ${creditInput('m-fee', 'messageFee', 'Per message', 'Charged once per reply.')}
        ${creditInput('m-in', 'inputPer1k', 'Per 1K input tokens', 'The question and the history sent.')}
        ${creditInput('m-out', 'outputPer1k', 'Per 1K output tokens', 'The reply.')}
      </div>
      <h3>What the provider charges you (${currency} per 1M tokens)</h3>
      <div class="fields-2">
        ${costInput('m-cin', 'inputCostPer1mMicros', 'Input')}
        ${costInput('m-cout', 'outputCostPer1mMicros', 'Output')}
        ${field({ id: 'm-max', label: 'Longest reply (tokens)', error: e.maxOutputTokens }, (a) =>
          html`<input id=${a.id} name="maxOutputTokens" type="number" min="1" .defaultValue=${String(m?.maxOutputTokens ?? 4096)} aria-describedby=${a.describedBy} aria-invalid=${a.invalid} />`)}
      </div>
      <input type="hidden" name="costCurrency" .value=${currency} />
      <div class="banner info" aria-live="polite" data-testid="sample-price">
        A message with <input aria-label="Sample input tokens" type="number" min="0" class="narrow" .value=${String(this.sample.input)}
          @input=${(ev: Event) => (this.sample = { ...this.sample, input: Math.max(0, Number((ev.target as HTMLInputElement).value) || 0) })} /> input and
        <input aria-label="Sample output tokens" type="number" min="0" class="narrow" .value=${String(this.sample.output)}
          @input=${(ev: Event) => (this.sample = { ...this.sample, output: Math.max(0, Number((ev.target as HTMLInputElement).value) || 0) })} /> output tokens
        costs the visitor <strong>${credits(turnPrice(inputs, this.sample.input, this.sample.output))} credits</strong>
        and you <strong>${micros(turnCostMicros(inputs, this.sample.input, this.sample.output), currency)}</strong> at the provider.
      </div>
      <label class="check"><input type="checkbox" name="enabled" ?checked=${m?.enabled ?? true} /> Offered to visitors</label>
      ${Object.keys(e).length ? html`<div class="banner error" role="alert">Not saved: fix the fields marked above.</div>` : nothing}
      <div class="row"><button class="primary">${m ? 'Save model' : 'Add model'}</button>
        <button type="button" @click=${() => this.dispatchEvent(new CustomEvent('parley-model-cancel', { bubbles: true, composed: true }))}>Cancel</button></div>
    </fieldset></form>`;
  }
}
