import { html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Me } from '../../../../server/src/wire/dashboard';
import { field } from '../../components/field/field';
import { Submission } from '../../controllers/submission';
import type { Api } from '../../lib/api';
import { emit } from '../../lib/events';
import { sharedStyles } from '../../styles/shared';
import { authStyles } from './auth.styles';

/** Log in with email and password. */
@customElement('parley-login-page')
export class ParleyLoginPage extends LitElement {
  static override styles = [sharedStyles, authStyles];

  /** The API client. */
  @property({ attribute: false }) api!: Api;

  private readonly submission = new Submission(this);

  private submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    return this.submission.run(async () => {
      const me = await this.api.post<Me>('/api/auth/login', { email: data.get('email'), password: data.get('password') });
      emit(this, 'parley-session', { csrfToken: me.csrfToken });
    });
  }

  override render() {
    const { fieldErrors: f, general, busy } = this.submission;
    return html`<div class="card">
      <div class="brand">Parley</div>
      <h1>Log in</h1>
      <p class="lede">to your dashboard.</p>
      ${general ? html`<div class="banner error" role="alert">${general}</div>` : nothing}
      <form @submit=${this.submit} novalidate>
        ${field({ id: 'email', label: 'Email', error: f.email }, (a) => html`<input id=${a.id} name="email" type="email" autocomplete="username" required
          aria-describedby=${a.describedBy} aria-invalid=${a.invalid} />`)}
        ${field({ id: 'password', label: 'Password', error: f.password }, (a) => html`<input id=${a.id} name="password" type="password" autocomplete="current-password" required
          aria-describedby=${a.describedBy} aria-invalid=${a.invalid} />`)}
        <button class="primary" ?disabled=${busy}>${busy ? 'Logging in…' : 'Log in'}</button>
      </form>
      <p class="alt">New to Parley? <a href="/dashboard/signup">Create an account</a></p>
    </div>`;
  }
}
