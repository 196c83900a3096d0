import { html, LitElement } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Me, Workspace } from '../../../../server/src/wire/dashboard';
import { field } from '../../components/field/field';
import type { Api, ApiError } from '../../lib/api';
import { emit } from '../../lib/events';
import { sharedStyles } from '../../styles/shared';

/** Signed in but a member of no workspace (removed from the last one): make one. */
@customElement('parley-no-workspace-page')
export class ParleyNoWorkspacePage extends LitElement {
  static override styles = sharedStyles;

  /** The API client. */
  @property({ attribute: false }) api!: Api;

  @state() private error: ApiError | undefined;

  private async create(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const name = new FormData(event.target as HTMLFormElement).get('name');
    try {
      const workspace = await this.api.post<Workspace>('/api/workspaces', { name });
      const me = await this.api.post<Me>('/api/auth/workspace', { tenantId: workspace.id });
      emit(this, 'parley-session', { csrfToken: me.csrfToken });
    } catch (err) {
      this.error = err as ApiError;
    }
  }

  override render() {
    return html`<section class="card">
      <h1>You are not in any workspace</h1>
      <p class="lede">Ask a workspace owner for an invite link, or create a workspace of your own.</p>
      <form @submit=${this.create} novalidate>
        ${field({ id: 'name', label: 'Workspace name', error: this.error?.fields.name ?? this.error?.message }, (a) =>
          html`<input id=${a.id} name="name" aria-describedby=${a.describedBy} aria-invalid=${a.invalid} />`)}
        <button class="primary">Create workspace</button>
      </form>
    </section>`;
  }
}
