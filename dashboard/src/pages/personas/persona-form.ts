import { html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { CatalogueModel, Persona } from '../../../../server/src/wire/dashboard';
import { field } from '../../components/field/field';
import { sharedStyles } from '../../styles/shared';

export interface PersonaDraft {
  name: string;
  greeting: string;
  systemPrompt: string;
  modelId: string;
  temperature: number | null;
  maxOutputTokens: number;
  enabled: boolean;
}

/**
 * The persona editor. Emits `parley-persona-save` with the draft; the page saves it and hands
 * back `errors` (field path -> message) to show beside the fields.
 *
 * @event parley-persona-save - detail: PersonaDraft
 * @event parley-persona-cancel - the editor was closed without saving
 */
@customElement('parley-persona-form')
export class ParleyPersonaForm extends LitElement {
  static override styles = sharedStyles;

  /** The persona being edited; undefined for a new one. */
  @property({ attribute: false }) persona: Persona | undefined;
  /** Models the persona may use. */
  @property({ attribute: false }) models: CatalogueModel[] = [];
  /** Validation messages from the server, by field. */
  @property({ attribute: false }) errors: Record<string, string> = {};
  /** Whether the controls are disabled (analysts, or a save in flight). */
  @property({ type: Boolean }) disabled = false;

  private submit(event: SubmitEvent): void {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const temperature = String(data.get('temperature') ?? '').trim();
    const draft: PersonaDraft = {
      name: String(data.get('name') ?? ''),
      greeting: String(data.get('greeting') ?? ''),
      systemPrompt: String(data.get('systemPrompt') ?? ''),
      modelId: String(data.get('modelId') ?? ''),
      temperature: temperature === '' ? null : Number(temperature),
      maxOutputTokens: Number(data.get('maxOutputTokens')),
      enabled: data.get('enabled') === 'on',
    };
    this.dispatchEvent(new CustomEvent('parley-persona-save', { detail: draft, bubbles: true, composed: true }));
  }

  override render() {
    const p = this.persona;
    const e = this.errors;
    return html`<form @submit=${this.submit} novalidate aria-label=${p ? `Edit ${p.name}` : 'New persona'}>
      <fieldset ?disabled=${this.disabled}>
        ${field({ id: 'p-name', label: 'Name', error: e.name, hint: 'Shown to visitors, e.g. "Support" or "Sommelier".' }, (a) =>
          html`<input id=${a.id} name="name" maxlength="60" .defaultValue=${p?.name ?? ''} aria-describedby=${a.describedBy} aria-invalid=${a.invalid} />`)}
        ${field({ id: 'p-model', label: 'Model', error: e.modelId }, (a) => html`<select id=${a.id} name="modelId" aria-describedby=${a.describedBy} aria-invalid=${a.invalid}>
          ${this.models.map((m) => html`<option value=${m.id} ?selected=${m.id === p?.modelId}>${m.displayName}${m.enabled ? '' : ' (disabled)'}</option>`)}</select>`)}
        ${field({ id: 'p-greeting', label: 'Greeting', error: e.greeting, hint: 'The first message visitors see.' }, (a) =>
          html`<input id=${a.id} name="greeting" maxlength="500" .defaultValue=${p?.greeting ?? ''} aria-describedby=${a.describedBy} aria-invalid=${a.invalid} />`)}
        ${field({ id: 'p-prompt', label: 'Instructions (system prompt)', error: e.systemPrompt, hint: 'How the persona behaves. Visitors never see this.' }, (a) =>
          html`<textarea id=${a.id} name="systemPrompt" rows="6" .defaultValue=${p?.systemPrompt ?? ''} aria-describedby=${a.describedBy} aria-invalid=${a.invalid}></textarea>`)}
        <div class="fields-2">
          ${field({ id: 'p-temp', label: 'Temperature', error: e.temperature, hint: '0–2; empty uses the model default.' }, (a) =>
            html`<input id=${a.id} name="temperature" type="number" min="0" max="2" step="0.1" .defaultValue=${p?.temperature === null || !p ? '' : String(p.temperature)} aria-describedby=${a.describedBy} aria-invalid=${a.invalid} />`)}
          ${field({ id: 'p-max', label: 'Longest reply (tokens)', error: e.maxOutputTokens }, (a) =>
            html`<input id=${a.id} name="maxOutputTokens" type="number" min="16" max="32000" .defaultValue=${String(p?.maxOutputTokens ?? 1024)} aria-describedby=${a.describedBy} aria-invalid=${a.invalid} />`)}
        </div>
        <label class="check"><input type="checkbox" name="enabled" ?checked=${p?.enabled ?? true} /> Offered in the widget</label>
        ${Object.keys(e).length ? html`<div class="banner error" role="alert">Not saved: fix the fields marked above.</div>` : nothing}
        <div class="row">
          <button class="primary">${p ? 'Save persona' : 'Create persona'}</button>
          <button type="button" @click=${() => this.dispatchEvent(new CustomEvent('parley-persona-cancel', { bubbles: true, composed: true }))}>Cancel</button>
        </div>
      </fieldset>
    </form>`;
  }
}
