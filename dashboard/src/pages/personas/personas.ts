import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { CatalogueModel, Persona } from '../../../../server/src/wire/dashboard';
import { Resource } from '../../controllers/resource';
import { ApiError } from '../../lib/api';
import type { DashboardContext } from '../../lib/context';
import { toast } from '../../lib/events';
import { loaded, pageHeader } from '../../lib/page';
import { publishableKey } from '../../lib/publishable-key';
import { moveItem } from '../../lib/reorder';
import { sharedStyles } from '../../styles/shared';
import type { PersonaDraft } from './persona-form';
import './persona-form';

/** Personas: who answers in the widget, with which model and instructions; a test chat beside them. */
@customElement('parley-personas-page')
export class ParleyPersonasPage extends LitElement {
  static override styles = [sharedStyles, css`
    .layout { display: grid; grid-template-columns: minmax(0, 1.2fr) minmax(300px, 1fr); gap: 20px; align-items: start; }
    @media (max-width: 1100px) { .layout { grid-template-columns: 1fr; } }
    li { list-style: none; } ul { padding: 0; margin: 0; display: grid; gap: 8px; }
    .persona { display: flex; gap: 10px; align-items: center; justify-content: space-between; border: 1px solid var(--parley-border); border-radius: 6px; padding: 10px 12px; }
  `];

  /** The signed-in workspace. */
  @property({ attribute: false }) ctx!: DashboardContext;

  /** 'new', a persona id being edited, or nothing. */
  @state() private editing: string | undefined;
  @state() private errors: Record<string, string> = {};
  @state() private saving = false;
  @state() private revision = 0;
  /** The test chat starts on request: it is a real visitor of the site, with real credits. */
  @state() private testing = false;

  private readonly personas = new Resource<{ data: Persona[] }>(this, { key: () => this.ctx.workspace.id, load: (s) => this.ctx.api.get('/api/personas', s) });
  private readonly models = new Resource<{ data: CatalogueModel[] }>(this, { key: () => this.ctx.workspace.id, load: (s) => this.ctx.api.get('/api/models', s) });
  private readonly pk = new Resource<string>(this, { key: () => this.ctx.workspace.id, load: (s) => publishableKey(this.ctx.api, s) });

  private async save(draft: PersonaDraft): Promise<void> {
    const existing = this.personas.value?.data.find((p) => p.id === this.editing);
    this.saving = true;
    this.errors = {};
    try {
      const position = existing?.position ?? this.personas.value?.data.length ?? 0;
      if (existing) await this.ctx.api.patch(`/api/personas/${existing.id}`, draft);
      else await this.ctx.api.post('/api/personas', { ...draft, position });
      toast(this, 'success', existing ? 'Persona saved' : `Persona "${draft.name}" created`);
      this.editing = undefined;
      this.revision += 1;
      await this.personas.reload();
    } catch (err) {
      this.errors = err instanceof ApiError && err.problems.length ? err.fields : { name: (err as Error).message };
    } finally {
      this.saving = false;
    }
  }

  /** Optimistic: the list changes at once and goes back (with a message) if the server says no. */
  private async optimistic(next: Persona[], requests: Array<() => Promise<unknown>>, failure: string): Promise<void> {
    const before = this.personas.value;
    this.personas.set({ data: next });
    try {
      for (const request of requests) await request();
    } catch (err) {
      if (before) this.personas.set(before);
      toast(this, 'error', `${failure}: ${(err as Error).message}. The change was undone.`);
      await this.personas.reload();
    }
  }

  private move(persona: Persona, delta: -1 | 1): void {
    const moved = moveItem(this.personas.value?.data ?? [], persona.id, delta, (p) => p.position);
    if (!moved) return;
    const next = moved.next.map((p, index) => ({ ...p, position: index }));
    void this.optimistic(next, moved.changes.map(({ item, index }) => () => this.ctx.api.patch(`/api/personas/${item.id}`, { position: index })), 'Could not reorder');
  }

  private toggle(persona: Persona): void {
    const next = (this.personas.value?.data ?? []).map((p) => (p.id === persona.id ? { ...p, enabled: !p.enabled } : p));
    void this.optimistic(next, [() => this.ctx.api.patch(`/api/personas/${persona.id}`, { enabled: !persona.enabled })], `Could not ${persona.enabled ? 'disable' : 'enable'} ${persona.name}`);
  }

  override render() {
    const models = this.models.value?.data ?? [];
    const off = !this.ctx.canWrite;
    return html`${pageHeader(this.ctx, 'Personas', 'Who answers your visitors: a name, a model and instructions. Try them in the chat beside the list.',
        html`<button class="primary" ?disabled=${off || !models.length} @click=${() => { this.editing = 'new'; this.errors = {}; }}>New persona</button>`)}
      <div class="layout">
        <section class="card">
          ${this.models.value && !models.length ? html`<parley-empty-state heading="Add a model first">A persona answers with one of your models.
            <a slot="action" class="button primary" href="/dashboard/models">Go to models and prices</a></parley-empty-state>` : nothing}
          ${this.editing ? html`<parley-persona-form .persona=${this.personas.value?.data.find((p) => p.id === this.editing)} .models=${models}
              .errors=${this.errors} ?disabled=${off || this.saving}
              @parley-persona-save=${(e: CustomEvent<PersonaDraft>) => this.save(e.detail)}
              @parley-persona-cancel=${() => (this.editing = undefined)}></parley-persona-form>` : nothing}
          ${loaded(this.personas, 'personas', ({ data }) => data.length ? html`<h2>In the widget, in this order</h2><ul>${data.map((p, i) => html`<li class="persona" data-persona=${p.name}>
              <div><strong>${p.name}</strong> <span class="badge ${p.enabled ? 'ok' : ''}">${p.enabled ? 'enabled' : 'disabled'}</span>
                <div class="muted">${models.find((m) => m.id === p.modelId)?.displayName ?? 'unknown model'}</div></div>
              <div class="row">
                <button aria-label="Move ${p.name} up" ?disabled=${off || i === 0} @click=${() => this.move(p, -1)}>↑</button>
                <button aria-label="Move ${p.name} down" ?disabled=${off || i === data.length - 1} @click=${() => this.move(p, 1)}>↓</button>
                <button ?disabled=${off} @click=${() => this.toggle(p)}>${p.enabled ? 'Disable' : 'Enable'}</button>
                <button ?disabled=${off} @click=${() => { this.editing = p.id; this.errors = {}; }}>Edit</button>
              </div></li>`)}</ul>`
            : this.editing || !models.length ? nothing : html`<parley-empty-state heading="No personas yet">Create one so visitors have someone to talk to.</parley-empty-state>`)}
        </section>
        <section class="card"><h2>Test chat</h2><p class="muted">The real widget with your saved personas. It counts as one visitor of your site.</p>
          ${!this.testing ? html`<button ?disabled=${!this.pk.value} @click=${() => (this.testing = true)}>Start a test chat</button>`
            : html`<parley-widget-preview .key=${this.pk.value ?? ''} .revision=${this.revision} label="Test chat"></parley-widget-preview>`}
        </section>
      </div>`;
  }
}
