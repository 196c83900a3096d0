import { html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Me } from '../../../../server/src/wire/dashboard';
import { field } from '../../components/field/field';
import { ApiError, type Api } from '../../lib/api';
import { emit } from '../../lib/events';
import { sharedStyles } from '../../styles/shared';
import { authStyles } from './auth.styles';

/** Log in with email and password. */
@customElement('parley-login-page')
export class ParleyLoginPage extends LitElement {
  static override styles = [sharedStyles, authStyles];

  /** The API client. */
  @property({ attribute: false }) api!: Api;

  @state() private error: ApiError | undefined;
  @state() private busy = false;

  private async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    this.busy = true;
    this.error = undefined;
    try {
      const me = await this.api.post<Me>('/api/auth/login', { email: data.get('email'), password: data.get('password') });
      emit(this, 'parley-session', { csrfToken: me.csrfToken });
    } catch (err) {
      this.error = err as ApiError;
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const f = this.error?.fields ?? {};
    const general = this.error && !Object.keys(f).length ? this.error.message : undefined;
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
        <button class="primary" ?disabled=${this.busy}>${this.busy ? 'Logging in…' : 'Log in'}</button>
      </form>
      <p class="alt">New to Parley? <a href="/dashboard/signup">Create an account</a></p>
    </div>`;
  }
}
