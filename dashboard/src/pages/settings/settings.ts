import { html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Preferences, RateLimits, WidgetSettings, Workspace } from '../../../../server/src/wire/dashboard';
import { field } from '../../components/field/field';
import { Resource } from '../../controllers/resource';
import { ApiError } from '../../lib/api';
import type { DashboardContext } from '../../lib/context';
import { emit, toast } from '../../lib/events';
import { credits, parseCredits } from '../../lib/format';
import { loaded, pageHeader } from '../../lib/page';
import { sharedStyles } from '../../styles/shared';

type Section = 'workspace' | 'credits' | 'region' | 'limits';

const zones = (): string[] => (typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : ['UTC']);

/**
 * A typed limit: empty is null (the server's value); anything not a number goes as typed, for the
 * server to explain beside the field (a number input would turn "12x" into an empty value, silently).
 */
const limitValue = (raw: FormDataEntryValue | null): number | string | null => {
  const text = String(raw ?? '').trim();
  if (!text) return null;
  return /^\d+$/.test(text) ? Number(text) : text;
};

/** Workspace settings: name and origins, welcome credits and low-balance warning, rate limits, time zone and locale. */
@customElement('parley-settings-page')
export class ParleySettingsPage extends LitElement {
  static override styles = sharedStyles;

  /** The signed-in workspace. */
  @property({ attribute: false }) ctx!: DashboardContext;

  @state() private errors: Partial<Record<Section, ApiError>> = {};
  @state() private saving: Section | undefined;

  private readonly workspace = new Resource<Workspace>(this, { key: () => this.ctx.workspace.id, load: (s) => this.ctx.api.get('/api/workspace', s) });
  private readonly widget = new Resource<WidgetSettings>(this, { key: () => this.ctx.workspace.id, load: (s) => this.ctx.api.get('/api/widget/settings', s) });
  private readonly prefs = new Resource<Preferences>(this, { key: () => this.ctx.workspace.id, load: (s) => this.ctx.api.get('/api/workspace/preferences', s) });
  private readonly limits = new Resource<RateLimits>(this, { key: () => this.ctx.workspace.id, load: (s) => this.ctx.api.get('/api/workspace/rate-limits', s) });

  /** Saves one card. On failure the typed values stay, with the reason beside each field. */
  private async save<T>(section: Section, form: HTMLFormElement, send: () => Promise<T>, done: (value: T) => void): Promise<void> {
    this.saving = section;
    this.errors = { ...this.errors, [section]: undefined };
    try {
      done(await send());
      toast(this, 'success', 'Saved');
    } catch (err) {
      this.errors = { ...this.errors, [section]: err instanceof ApiError ? err : new ApiError(0, 'client', (err as Error).message) };
      toast(this, 'error', 'Not saved. The previous settings are still in force.');
      await this.updateComplete; // the fields are marked invalid only once this render is done
      form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
    } finally {
      this.saving = undefined;
    }
  }

  private saveWorkspace(event: SubmitEvent): void {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const allowedOrigins = String(data.get('allowedOrigins') ?? '').split(/[\s,]+/).filter(Boolean);
    void this.save('workspace', form, () => this.ctx.api.patch<Workspace>('/api/workspace', { name: data.get('name'), allowedOrigins }), (w) => {
      this.workspace.set(w);
      emit(this, 'parley-session', {}); // the workspace's name shows in the switcher
    });
  }

  private saveCredits(event: SubmitEvent): void {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const welcome = parseCredits(String(data.get('welcomeCredits')));
    const threshold = parseCredits(String(data.get('lowBalanceThreshold')));
    const expiry = String(data.get('welcomeExpiryDays') ?? '').trim();
    const body = { welcomeCredits: welcome ?? -1, lowBalanceThreshold: threshold ?? -1, welcomeExpiryDays: expiry ? Number(expiry) : null };
    void this.save('credits', form, () => this.ctx.api.patch<WidgetSettings>('/api/widget/settings', body), (w) => this.widget.set(w));
  }

  private saveRegion(event: SubmitEvent): void {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = Object.fromEntries(new FormData(form));
    void this.save('region', form, () => this.ctx.api.patch<Preferences>('/api/workspace/preferences', data), (p) => this.prefs.set(p));
  }

  private saveLimits(event: SubmitEvent): void {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const body = { visitorMessagesPerMin: limitValue(data.get('visitorMessagesPerMin')), tenantMessagesPerMin: limitValue(data.get('tenantMessagesPerMin')) };
    void this.save('limits', form, () => this.ctx.api.patch<RateLimits>('/api/workspace/rate-limits', body), (l) => this.limits.set(l));
  }

  private status(section: Section) {
    const error = this.errors[section];
    if (!error) return nothing;
    return html`<div class="banner error" role="alert">Not saved: ${error.problems.length ? 'check the fields marked in red.' : error.message}
      <button type="button" class="link" @click=${(e: Event) => { (e.target as HTMLElement).closest('form')?.reset(); this.errors = { ...this.errors, [section]: undefined }; }}>Put back the saved values</button></div>`;
  }

  override render() {
    const off = !this.ctx.canWrite;
    return html`
      ${pageHeader(this.ctx, 'Settings', 'How this workspace and its widget behave.')}
      <section class="card"><h2>Workspace</h2>${loaded(this.workspace, 'the workspace', (w) => {
        const f = this.errors.workspace?.fields ?? {};
        return html`<form @submit=${this.saveWorkspace} novalidate><fieldset ?disabled=${off}>
          ${field({ id: 'name', label: 'Name', error: f.name }, (a) => html`<input id=${a.id} name="name" .defaultValue=${w.name} aria-describedby=${a.describedBy} aria-invalid=${a.invalid} />`)}
          ${field({ id: 'allowedOrigins', label: 'Allowed origins', error: Object.entries(f).find(([k]) => k.startsWith('allowedOrigins'))?.[1],
            hint: 'Sites where the widget may run, one per line, like https://www.example.com. https://*.example.com allows subdomains. Localhost is always allowed outside production.' },
            (a) => html`<textarea id=${a.id} name="allowedOrigins" .defaultValue=${w.allowedOrigins.join('\n')} aria-describedby=${a.describedBy} aria-invalid=${a.invalid}></textarea>`)}
          ${this.status('workspace')}
          <div><button class="primary" ?disabled=${off || this.saving === 'workspace'}>Save workspace</button></div>
        </fieldset></form>`;
      })}</section>
      <section class="card"><h2>New visitors and credits</h2>${loaded(this.widget, 'widget settings', (w) => {
        const f = this.errors.credits?.fields ?? {};
        return html`<form @submit=${this.saveCredits} novalidate><fieldset ?disabled=${off} class="fields-2">
          ${field({ id: 'welcomeCredits', label: 'Welcome credits', error: f.welcomeCredits, hint: 'Given once to each new visitor. 0 turns it off.' }, (a) =>
            html`<input id=${a.id} name="welcomeCredits" inputmode="decimal" .defaultValue=${credits(w.welcomeCredits)} aria-describedby=${a.describedBy} aria-invalid=${a.invalid} />`)}
          ${field({ id: 'welcomeExpiryDays', label: 'Welcome credits expire after (days)', error: f.welcomeExpiryDays, hint: 'Empty: they never expire.' }, (a) =>
            html`<input id=${a.id} name="welcomeExpiryDays" type="number" min="1" max="3650" .defaultValue=${w.welcomeExpiryDays === null ? '' : String(w.welcomeExpiryDays)} aria-describedby=${a.describedBy} aria-invalid=${a.invalid} />`)}
          ${field({ id: 'lowBalanceThreshold', label: 'Low-balance warning below (credits)', error: f.lowBalanceThreshold, hint: 'The widget warns the visitor and suggests a pack.' }, (a) =>
            html`<input id=${a.id} name="lowBalanceThreshold" inputmode="decimal" .defaultValue=${credits(w.lowBalanceThreshold)} aria-describedby=${a.describedBy} aria-invalid=${a.invalid} />`)}
          </fieldset>${this.status('credits')}
          <div><button class="primary" ?disabled=${off || this.saving === 'credits'}>Save credits</button></div></form>`;
      })}</section>
      <section class="card"><h2>Region</h2>${loaded(this.prefs, 'preferences', (p) => {
        const f = this.errors.region?.fields ?? {};
        return html`<form @submit=${this.saveRegion} novalidate><fieldset ?disabled=${off} class="fields-2">
          ${field({ id: 'timeZone', label: 'Time zone', error: f.timeZone, hint: 'Analytics count days and hours in this zone.' }, (a) =>
            html`<select id=${a.id} name="timeZone" aria-describedby=${a.describedBy}>${[...new Set([p.timeZone, 'UTC', ...zones()])].map((z) => html`<option ?selected=${z === p.timeZone}>${z}</option>`)}</select>`)}
          ${field({ id: 'defaultLocale', label: 'Default widget language', error: f.defaultLocale }, (a) =>
            html`<select id=${a.id} name="defaultLocale" aria-describedby=${a.describedBy}>${(['en', 'de', 'es', 'fr'] as const).map((l) => html`<option ?selected=${l === p.defaultLocale}>${l}</option>`)}</select>`)}
          </fieldset>${this.status('region')}
          <div><button class="primary" ?disabled=${off || this.saving === 'region'}>Save region</button></div></form>`;
      })}</section>
      <section class="card"><h2>Rate limits</h2>${loaded(this.limits, 'rate limits', (l) => {
        const f = this.errors.limits?.fields ?? {};
        const limit = (name: 'visitorMessagesPerMin' | 'tenantMessagesPerMin', label: string, what: string) =>
          field({ id: name, label, error: f[name], hint: `${what} Empty: this server's limit, ${l.operator[name]}; yours may only be lower. Now: ${l.effective[name]}.` }, (a) =>
            html`<input id=${a.id} name=${name} inputmode="numeric" autocomplete="off" placeholder=${String(l.operator[name])}
              .defaultValue=${l[name] === null ? '' : String(l[name])} aria-describedby=${a.describedBy} aria-invalid=${a.invalid} />`);
        return html`<form @submit=${this.saveLimits} novalidate><p class="muted">A visitor over a limit is asked to wait (the widget shows how long); nothing is charged.</p>
          <fieldset ?disabled=${off} class="fields-2">
          ${limit('visitorMessagesPerMin', 'Messages per visitor per minute', 'Each visitor, across their tabs.')}
          ${limit('tenantMessagesPerMin', 'Messages per minute, whole workspace', 'All visitors together: a cap on what a traffic spike can cost.')}
          </fieldset>${this.status('limits')}
          <div><button class="primary" ?disabled=${off || this.saving === 'limits'}>Save rate limits</button></div></form>`;
      })}</section>`;
  }
}
