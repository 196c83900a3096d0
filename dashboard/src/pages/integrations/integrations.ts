import { html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { ProviderKey, ProviderTest, StripeAccount } from '../../../../server/src/wire/dashboard';
import { confirmAction } from '../../components/confirm/confirm';
import { field } from '../../components/field/field';
import { Resource } from '../../controllers/resource';
import { ApiError } from '../../lib/api';
import type { DashboardContext } from '../../lib/context';
import { toast } from '../../lib/events';
import { dateTime } from '../../lib/format';
import { loaded, pageHeader } from '../../lib/page';
import { sharedStyles } from '../../styles/shared';

/**
 * Provider and Stripe keys. Keys are write-only: the server keeps them encrypted and only ever
 * answers with their last characters.
 */
@customElement('parley-integrations-page')
export class ParleyIntegrationsPage extends LitElement {
  static override styles = sharedStyles;

  /** The signed-in workspace. */
  @property({ attribute: false }) ctx!: DashboardContext;

  @state() private providerErrors: Record<string, string> = {};
  @state() private stripeErrors: Record<string, string> = {};
  @state() private testResult: { ok: boolean; message: string } | undefined;
  @state() private testing = false;
  /** Per provider: the last test's answer, or 'testing' while it runs. */
  @state() private providerTests: Partial<Record<ProviderKey['provider'], ProviderTest | 'testing'>> = {};

  private readonly keys = new Resource<{ data: ProviderKey[] }>(this, { key: () => this.ctx.workspace.id, load: (s) => this.ctx.api.get('/api/provider-keys', s) });
  private readonly stripe = new Resource<StripeAccount>(this, { key: () => this.ctx.workspace.id, load: (s) => this.ctx.api.get('/api/payments/stripe', s) });

  private async saveProvider(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const d = new FormData(form);
    this.providerErrors = {};
    try {
      await this.ctx.api.put('/api/provider-keys', { provider: d.get('provider'), apiKey: d.get('apiKey'), baseUrl: String(d.get('baseUrl') ?? '').trim() || null });
      form.reset();
      toast(this, 'success', 'Provider key saved');
      this.providerTests = { ...this.providerTests, [String(d.get('provider')) as ProviderKey['provider']]: undefined };
      await this.keys.reload();
    } catch (err) {
      this.providerErrors = err instanceof ApiError && err.problems.length ? err.fields : { apiKey: (err as Error).message };
    }
  }

  private async testProvider(key: ProviderKey): Promise<void> {
    this.providerTests = { ...this.providerTests, [key.provider]: 'testing' };
    let result: ProviderTest;
    try {
      result = await this.ctx.api.post<ProviderTest>(`/api/provider-keys/${key.provider}/test`, {});
    } catch (err) {
      result = { ok: false, code: 'unreachable', status: null, message: `Could not run the test: ${(err as Error).message}` };
    }
    this.providerTests = { ...this.providerTests, [key.provider]: result };
  }

  private providerTestRow(key: ProviderKey) {
    const result = this.providerTests[key.provider];
    if (!result || result === 'testing') return nothing;
    return html`<tr><td colspan="4"><div class="banner ${result.ok ? 'info' : 'error'}" role="status" data-testid="provider-test-${key.provider}">
      ${result.ok ? '✓' : '✗'} ${result.message}</div></td></tr>`;
  }

  private async removeProvider(key: ProviderKey): Promise<void> {
    if (!(await confirmAction({ heading: `Remove the ${key.provider} key?`, body: "Replies then use the platform's key, if there is one.", confirmLabel: 'Remove key' }))) return;
    try {
      await this.ctx.api.delete(`/api/provider-keys/${key.provider}`);
      this.providerTests = { ...this.providerTests, [key.provider]: undefined };
      await this.keys.reload();
    } catch (err) {
      toast(this, 'error', `Could not remove: ${(err as Error).message}`);
    }
  }

  private async saveStripe(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const d = new FormData(form);
    const secretKey = String(d.get('secretKey') ?? '').trim();
    const webhookSecret = String(d.get('webhookSecret') ?? '').trim();
    this.stripeErrors = {};
    try {
      this.stripe.set(await this.ctx.api.put<StripeAccount>('/api/payments/stripe', {
        ...(secretKey ? { secretKey } : {}), ...(webhookSecret ? { webhookSecret } : {}),
      }));
      form.reset();
      toast(this, 'success', 'Stripe keys saved');
    } catch (err) {
      this.stripeErrors = err instanceof ApiError && err.problems.length ? err.fields : { secretKey: (err as Error).message };
    }
  }

  private async testStripe(): Promise<void> {
    this.testing = true;
    try {
      this.testResult = await this.ctx.api.post('/api/payments/stripe/test', {});
    } catch (err) {
      this.testResult = { ok: false, message: (err as Error).message };
    } finally {
      this.testing = false;
    }
  }

  override render() {
    const off = !this.ctx.canWrite;
    const pe = this.providerErrors;
    const se = this.stripeErrors;
    return html`${pageHeader(this.ctx, 'Provider and Stripe keys', 'Your own AI provider keys and your Stripe account. Keys are encrypted and never shown again.')}
      <section class="card"><h2>AI provider keys</h2>
        <p class="muted">Without a key of your own, replies use the platform's key (or the offline demo provider).</p>
        ${loaded(this.keys, 'provider keys', ({ data }) => data.length ? html`<table class="spaced"><tbody>${data.map((k) => html`<tr>
            <td><strong>${k.provider}</strong>${k.baseUrl ? html`<div class="muted">${k.baseUrl}</div>` : nothing}</td>
            <td class="mono nowrap">••••${k.hint}</td><td>updated ${dateTime(k.updatedAt)}</td>
            <td><div class="row"><button ?disabled=${off || this.providerTests[k.provider] === 'testing'} aria-label="Test the ${k.provider} key" @click=${() => this.testProvider(k)}>
                ${this.providerTests[k.provider] === 'testing' ? 'Testing…' : 'Test connection'}</button>
              <button class="danger" ?disabled=${off} aria-label="Remove the ${k.provider} key" @click=${() => this.removeProvider(k)}>Remove</button></div></td></tr>
            ${this.providerTestRow(k)}`)}</tbody></table>`
          : html`<p>No keys of your own yet.</p>`)}
        <form @submit=${this.saveProvider} novalidate><fieldset ?disabled=${off} class="fields-2">
          ${field({ id: 'pk-provider', label: 'Provider', error: pe.provider }, (a) => html`<select id=${a.id} name="provider" aria-describedby=${a.describedBy}><option>openai</option><option>anthropic</option></select>`)}
          ${field({ id: 'pk-key', label: 'API key', error: pe.apiKey }, (a) => html`<input id=${a.id} name="apiKey" type="password" autocomplete="off" aria-describedby=${a.describedBy} aria-invalid=${a.invalid} />`)}
          ${field({ id: 'pk-base', label: 'Base URL (optional)', error: pe.baseUrl, hint: 'For OpenAI-compatible servers (Ollama, vLLM, LM Studio).' }, (a) =>
            html`<input id=${a.id} name="baseUrl" type="url" aria-describedby=${a.describedBy} aria-invalid=${a.invalid} />`)}
        </fieldset><div><button class="primary" ?disabled=${off}>Save provider key</button></div></form>
      </section>
      <section class="card"><h2>Stripe</h2>${loaded(this.stripe, 'Stripe settings', (s) => html`
        <p>${s.configured
          ? html`Connected in <span class="badge ${s.mode === 'live' ? 'ok' : 'warn'}" data-testid="stripe-mode">${s.mode} mode</span> · secret key <span class="mono">••••${s.secretKeyHint}</span>
              · webhook secret ${s.webhookSecretHint ? html`<span class="mono">••••${s.webhookSecretHint}</span>` : html`<span class="badge bad">missing</span>`}`
          : html`<span class="badge">not connected</span> Purchases use the built-in demo checkout (never in production).`}</p>
        <div class="field"><span>Webhook URL: paste it into Stripe (Developers → Webhooks)</span>
          <div class="row"><code class="mono" data-testid="webhook-url">${s.webhookUrl}</code><parley-copy-button .text=${s.webhookUrl}></parley-copy-button></div></div>
        <form @submit=${this.saveStripe} novalidate><fieldset ?disabled=${off} class="fields-2">
          ${field({ id: 'st-key', label: 'Secret key', error: se.secretKey, hint: 'sk_test_… or sk_live_… (a restricted rk_ key works too).' }, (a) =>
            html`<input id=${a.id} name="secretKey" type="password" autocomplete="off" aria-describedby=${a.describedBy} aria-invalid=${a.invalid} />`)}
          ${field({ id: 'st-whsec', label: 'Webhook signing secret', error: se.webhookSecret, hint: 'whsec_…, shown by Stripe for the endpoint above.' }, (a) =>
            html`<input id=${a.id} name="webhookSecret" type="password" autocomplete="off" aria-describedby=${a.describedBy} aria-invalid=${a.invalid} />`)}
        </fieldset>
        <div class="row"><button class="primary" ?disabled=${off}>Save Stripe keys</button>
          <button type="button" ?disabled=${off || !s.configured || this.testing} @click=${this.testStripe}>${this.testing ? 'Testing…' : 'Test connection'}</button></div></form>
        ${this.testResult ? html`<div class="banner ${this.testResult.ok ? 'info' : 'error'}" role="status">${this.testResult.message}</div>` : nothing}`)}
      </section>`;
  }
}
