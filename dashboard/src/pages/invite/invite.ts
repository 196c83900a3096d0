import { html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { InvitePreview, Me } from '../../../../server/src/wire/dashboard';
import { field } from '../../components/field/field';
import { Resource } from '../../controllers/resource';
import { Submission } from '../../controllers/submission';
import type { Api } from '../../lib/api';
import { emit } from '../../lib/events';
import { sharedStyles } from '../../styles/shared';
import { authStyles } from '../login/auth.styles';

/** Accepting an invite link: join with the current account, or create one through the invite. */
@customElement('parley-invite-page')
export class ParleyInvitePage extends LitElement {
  static override styles = [sharedStyles, authStyles];

  /** The API client. */
  @property({ attribute: false }) api!: Api;
  /** The token from the link. */
  @property() token = '';
  /** Whether someone is logged in (then the invite is accepted as them). */
  @property({ type: Boolean }) signedIn = false;

  private readonly submission = new Submission(this);

  private readonly invite = new Resource<InvitePreview>(this, {
    key: () => this.token,
    load: (signal) => this.api.get(`/api/invites/${encodeURIComponent(this.token)}`, signal),
  });

  private join(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const body = this.signedIn ? undefined : Object.fromEntries(new FormData(event.target as HTMLFormElement));
    return this.submission.run(async () => {
      const path = `/api/invites/${encodeURIComponent(this.token)}/${this.signedIn ? 'accept' : 'signup'}`;
      const me = await this.api.post<Me>(path, body);
      emit(this, 'parley-session', { csrfToken: me.csrfToken });
      emit(this, 'parley-navigate', { path: '/' });
      emit(this, 'parley-toast', { kind: 'success', message: `You joined ${this.invite.value?.workspaceName ?? 'the workspace'}` });
    });
  }

  override render() {
    const invite = this.invite.value;
    if (this.invite.error) {
      return html`<div class="card"><h1>This invite cannot be used</h1><p role="alert">${this.invite.error.message}</p>
        <p><a href="/dashboard/login">Go to the log-in page</a></p></div>`;
    }
    if (!invite) return html`<div class="card" aria-busy="true">Checking the invite…</div>`;
    const { fieldErrors: f, general, busy } = this.submission;
    return html`<div class="card">
      <div class="brand">Parley</div>
      <h1>Join ${invite.workspaceName}</h1>
      <p class="lede">You are invited as <strong>${invite.role}</strong>${invite.email ? html` (for ${invite.email})` : nothing}.</p>
      ${general ? html`<div class="banner error" role="alert">${general}</div>` : nothing}
      <form @submit=${this.join} novalidate>
        ${this.signedIn ? nothing : html`
          ${field({ id: 'name', label: 'Your name', error: f.name }, (a) => html`<input id=${a.id} name="name" autocomplete="name" aria-describedby=${a.describedBy} />`)}
          ${field({ id: 'email', label: 'Email', error: f.email }, (a) => html`<input id=${a.id} name="email" type="email" autocomplete="username" .value=${invite.email ?? ''} aria-describedby=${a.describedBy} aria-invalid=${a.invalid} />`)}
          ${field({ id: 'password', label: 'Password', error: f.password, hint: 'At least 10 characters.' }, (a) => html`<input id=${a.id} name="password" type="password" autocomplete="new-password" aria-describedby=${a.describedBy} aria-invalid=${a.invalid} />`)}`}
        <button class="primary" ?disabled=${busy}>${this.signedIn ? 'Join workspace' : 'Create account and join'}</button>
      </form>
      ${this.signedIn ? nothing : html`<p class="alt">Already have an account? <a href="/dashboard/login">Log in</a>, then open this link again.</p>`}
    </div>`;
  }
}
