import { html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { ApiKey, CreatedKey } from '../../../../server/src/wire/dashboard';
import { confirmAction } from '../../components/confirm/confirm';
import { field } from '../../components/field/field';
import { Resource } from '../../controllers/resource';
import type { ApiError } from '../../lib/api';
import type { DashboardContext } from '../../lib/context';
import { toast } from '../../lib/events';
import { dateTime } from '../../lib/format';
import { loaded, pageHeader } from '../../lib/page';
import { sharedStyles } from '../../styles/shared';

/** API keys: publishable keys for the widget, secret keys for the tenant's backend (shown once). */
@customElement('parley-keys-page')
export class ParleyKeysPage extends LitElement {
  static override styles = sharedStyles;

  /** The signed-in workspace. */
  @property({ attribute: false }) ctx!: DashboardContext;

  @state() private created: CreatedKey | undefined;
  @state() private error: ApiError | undefined;

  private readonly keys = new Resource<{ data: ApiKey[] }>(this, {
    key: () => this.ctx.workspace.id,
    load: (signal) => this.ctx.api.get('/api/keys', signal),
  });

  private async create(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = Object.fromEntries(new FormData(form));
    this.error = undefined;
    try {
      this.created = await this.ctx.api.post<CreatedKey>('/api/keys', data);
      form.reset();
      await this.keys.reload();
    } catch (err) {
      this.error = err as ApiError;
    }
  }

  private async roll(key: ApiKey): Promise<void> {
    const ok = await confirmAction({
      heading: `Roll ${key.kind} key?`,
      body: 'A new key replaces this one. The old key keeps working for 24 hours so you can deploy the new one.',
      confirmLabel: 'Roll key',
    });
    if (!ok) return;
    try {
      this.created = await this.ctx.api.post<CreatedKey>(`/api/keys/${key.id}/roll`, { graceHours: 24 });
      await this.keys.reload();
    } catch (err) {
      toast(this, 'error', `Could not roll the key: ${(err as Error).message}`);
    }
  }

  private async revoke(key: ApiKey): Promise<void> {
    const ok = await confirmAction({ heading: 'Revoke this key?', body: `${key.prefix} stops working at once. This cannot be undone.`, confirmLabel: 'Revoke key' });
    if (!ok) return;
    const before = this.keys.value;
    // Shown as revoked at once; put back if the server refuses.
    if (before) this.keys.set({ data: before.data.map((k) => (k.id === key.id ? { ...k, status: 'revoked' } : k)) });
    try {
      await this.ctx.api.delete(`/api/keys/${key.id}`);
      toast(this, 'success', 'Key revoked');
    } catch (err) {
      if (before) this.keys.set(before);
      toast(this, 'error', `Could not revoke the key: ${(err as Error).message}. Nothing changed.`);
    }
  }

  override render() {
    const canWrite = this.ctx.canWrite;
    return html`
      ${pageHeader(this.ctx, 'API keys', 'Publishable keys (pk_) go in the embed snippet. Secret keys (sk_) are for your own server: keep them secret.')}
      ${this.created ? html`<div class="banner warn" role="alert" data-testid="new-key">
          <strong>Copy your new ${this.created.key.kind} key now${this.created.key.kind === 'secret' ? ': it will not be shown again' : ''}.</strong>
          <div class="row"><code class="mono">${this.created.token}</code><parley-copy-button .text=${this.created.token}></parley-copy-button>
          <button class="link" @click=${() => (this.created = undefined)}>Done</button></div></div>` : nothing}
      <section class="card">
        <h2>Create a key</h2>
        <form @submit=${this.create} novalidate>
          <fieldset ?disabled=${!canWrite} class="fields-2">
            ${field({ id: 'kind', label: 'Kind', error: this.error?.fields.kind }, (a) => html`<select id=${a.id} name="kind" aria-describedby=${a.describedBy}>
              <option value="publishable">Publishable (widget)</option><option value="secret">Secret (your server)</option></select>`)}
            ${field({ id: 'name', label: 'Name', error: this.error?.fields.name, hint: 'So you know where it is used, e.g. "Production site".' }, (a) =>
              html`<input id=${a.id} name="name" maxlength="100" aria-describedby=${a.describedBy} aria-invalid=${a.invalid} />`)}
          </fieldset>
          <div><button class="primary" ?disabled=${!canWrite}>Create key</button></div>
        </form>
      </section>
      <section class="card">
        <h2>Keys</h2>
        ${loaded(this.keys, 'keys', ({ data }) => data.length ? html`<div class="table-wrap"><table>
          <thead><tr><th>Key</th><th>Name</th><th>Status</th><th>Last used</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>${data.map((k) => html`<tr data-key-id=${k.id}>
            <td><span class="badge">${k.kind}</span> <code class="mono">${k.prefix}${k.kind === 'secret' ? '…' : ''}</code></td>
            <td>${k.name || html`<span class="muted">–</span>`}</td>
            <td><span class="badge ${k.status === 'active' ? 'ok' : k.status === 'expiring' ? 'warn' : 'bad'}">${k.status}</span>
              ${k.expiresAt && k.status === 'expiring' ? html`<div class="muted">until ${dateTime(k.expiresAt)}</div>` : nothing}</td>
            <td>${dateTime(k.lastUsedAt)}</td>
            <td class="row">${k.status === 'active' ? html`
              <button ?disabled=${!canWrite} @click=${() => this.roll(k)}>Roll</button>
              <button class="danger" ?disabled=${!canWrite} @click=${() => this.revoke(k)}>Revoke</button>` : nothing}</td>
          </tr>`)}</tbody></table></div>`
          : html`<parley-empty-state heading="No keys">Create a publishable key for the widget above.</parley-empty-state>`)}
      </section>`;
  }
}
