import { html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { CatalogueModel } from '../../../../server/src/wire/dashboard';
import { confirmAction } from '../../components/confirm/confirm';
import { Resource } from '../../controllers/resource';
import { ApiError } from '../../lib/api';
import type { DashboardContext } from '../../lib/context';
import { toast } from '../../lib/events';
import { credits, micros } from '../../lib/format';
import { loaded, pageHeader } from '../../lib/page';
import { sharedStyles } from '../../styles/shared';
import type { ModelDraft } from './model-form';
import { turnCostMicros, turnPrice } from './price';
import './model-form';

/** Models and prices: what each reply costs visitors, and what it costs you. */
@customElement('parley-models-page')
export class ParleyModelsPage extends LitElement {
  static override styles = sharedStyles;

  /** The signed-in workspace. */
  @property({ attribute: false }) ctx!: DashboardContext;

  @state() private editing: string | undefined;
  @state() private errors: Record<string, string> = {};
  @state() private saving = false;

  private readonly models = new Resource<{ data: CatalogueModel[] }>(this, { key: () => this.ctx.workspace.id, load: (s) => this.ctx.api.get('/api/models', s) });

  private async save(draft: ModelDraft): Promise<void> {
    const existing = this.models.value?.data.find((m) => m.id === this.editing);
    this.saving = true;
    this.errors = {};
    try {
      if (existing) await this.ctx.api.patch(`/api/models/${existing.id}`, draft);
      else await this.ctx.api.post('/api/models', draft);
      toast(this, 'success', existing ? 'Model saved' : `Model "${draft.displayName}" added`);
      this.editing = undefined;
      await this.models.reload();
    } catch (err) {
      this.errors = err instanceof ApiError && err.problems.length ? err.fields : { displayName: (err as Error).message };
    } finally {
      this.saving = false;
    }
  }

  private async toggle(model: CatalogueModel): Promise<void> {
    const before = this.models.value;
    if (before) this.models.set({ data: before.data.map((m) => (m.id === model.id ? { ...m, enabled: !m.enabled } : m)) });
    try {
      await this.ctx.api.patch(`/api/models/${model.id}`, { enabled: !model.enabled });
    } catch (err) {
      if (before) this.models.set(before);
      toast(this, 'error', `Could not ${model.enabled ? 'disable' : 'enable'} ${model.displayName}: ${(err as Error).message}. The change was undone.`);
    }
  }

  private async archive(model: CatalogueModel): Promise<void> {
    if (!(await confirmAction({ heading: `Remove ${model.displayName}?`, body: 'It stops being offered. Past conversations keep their prices.', confirmLabel: 'Remove model' }))) return;
    try {
      await this.ctx.api.delete(`/api/models/${model.id}`);
      await this.models.reload();
    } catch (err) {
      toast(this, 'error', `Could not remove: ${(err as Error).message}`);
    }
  }

  override render() {
    const off = !this.ctx.canWrite;
    return html`${pageHeader(this.ctx, 'Models and prices', 'Each reply costs a fee plus its tokens, in credits. 1 credit = 1,000 millicredits.',
        html`<button class="primary" ?disabled=${off} @click=${() => { this.editing = 'new'; this.errors = {}; }}>Add model</button>`)}
      ${this.editing ? html`<section class="card"><parley-model-form .model=${this.models.value?.data.find((m) => m.id === this.editing)}
          .errors=${this.errors} ?disabled=${off || this.saving} @parley-model-save=${(e: CustomEvent<ModelDraft>) => this.save(e.detail)}
          @parley-model-cancel=${() => (this.editing = undefined)}></parley-model-form></section>` : nothing}
      <section class="card">${loaded(this.models, 'models', ({ data }) => data.length ? html`<div class="table-wrap"><table>
        <thead><tr><th>Model</th><th class="num">Per message</th><th class="num">Per 1K in / out</th><th class="num">500 in + 300 out</th><th>Status</th><th><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>${data.map((m) => html`<tr>
          <td><strong>${m.displayName}</strong><div class="muted">${m.provider} · ${m.providerModelId}</div></td>
          <td class="num">${credits(m.messageFee)}</td><td class="num">${credits(m.inputPer1k)} / ${credits(m.outputPer1k)}</td>
          <td class="num">${credits(turnPrice(m, 500, 300))} cr<div class="muted">cost ${micros(turnCostMicros(m, 500, 300), m.costCurrency)}</div></td>
          <td><span class="badge ${m.enabled ? 'ok' : ''}">${m.enabled ? 'enabled' : 'disabled'}</span></td>
          <td class="row"><button ?disabled=${off} @click=${() => this.toggle(m)}>${m.enabled ? 'Disable' : 'Enable'}</button>
            <button ?disabled=${off} @click=${() => { this.editing = m.id; this.errors = {}; }}>Edit</button>
            <button class="danger" ?disabled=${off} @click=${() => this.archive(m)}>Remove</button></td></tr>`)}</tbody></table></div>`
        : html`<parley-empty-state heading="No models yet">Add the model your personas will use. The built-in <strong>demo</strong> provider works offline.</parley-empty-state>`)}
      </section>`;
  }
}
