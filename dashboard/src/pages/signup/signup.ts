import { html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Me } from '../../../../server/src/wire/dashboard';
import { field } from '../../components/field/field';
import { Submission } from '../../controllers/submission';
import type { Api } from '../../lib/api';
import { emit } from '../../lib/events';
import { sharedStyles } from '../../styles/shared';
import { authStyles } from '../login/auth.styles';

/** Create an account and its first workspace (you become its owner). */
@customElement('parley-signup-page')
export class ParleySignupPage extends LitElement {
  static override styles = [sharedStyles, authStyles];

  /** The API client. */
  @property({ attribute: false }) api!: Api;

  private readonly submission = new Submission(this);

  private submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(event.target as HTMLFormElement));
    return this.submission.run(async () => {
      const me = await this.api.post<Me>('/api/auth/signup', data);
      emit(this, 'parley-session', { csrfToken: me.csrfToken });
      emit(this, 'parley-navigate', { path: '/personas?welcome=1' });
    });
  }

  override render() {
    const { fieldErrors: f, general, busy } = this.submission;
    const input = (name: string, type: string, autocomplete: string) => (a: { id: string; describedBy: string; invalid: string }) =>
      html`<input id=${a.id} name=${name} type=${type} autocomplete=${autocomplete} aria-describedby=${a.describedBy} aria-invalid=${a.invalid} />`;
    return html`<div class="card">
      <div class="brand">Parley</div>
      <h1>Create your account</h1>
      <p class="lede">Sell AI chat on your site with prepaid credits. You can change everything later.</p>
      ${general ? html`<div class="banner error" role="alert">${general}</div>` : nothing}
      <form @submit=${this.submit} novalidate>
        ${field({ id: 'workspaceName', label: 'Site or business name', error: f.workspaceName }, input('workspaceName', 'text', 'organization'))}
        ${field({ id: 'name', label: 'Your name', error: f.name }, input('name', 'text', 'name'))}
        ${field({ id: 'email', label: 'Email', error: f.email }, input('email', 'email', 'username'))}
        ${field({ id: 'password', label: 'Password', error: f.password, hint: 'At least 10 characters. A phrase is easiest to remember.' }, input('password', 'password', 'new-password'))}
        <button class="primary" ?disabled=${busy}>${busy ? 'Creating…' : 'Create account'}</button>
      </form>
      <p class="alt">Already have an account? <a href="/dashboard/login">Log in</a></p>
    </div>`;
  }
}
