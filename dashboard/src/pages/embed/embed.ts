import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { WidgetSettings } from '../../../../server/src/wire/dashboard';
import { field } from '../../components/field/field';
import { Resource } from '../../controllers/resource';
import { ApiError } from '../../lib/api';
import type { DashboardContext } from '../../lib/context';
import { toast } from '../../lib/events';
import { loaded, pageHeader } from '../../lib/page';
import { publishableKey } from '../../lib/publishable-key';
import { sharedStyles } from '../../styles/shared';
import { defaultSnippetOptions, snippet, type SnippetOptions } from './snippet';

type Theme = WidgetSettings['theme'];
type Strings = WidgetSettings['strings'];

/** The embed snippet and its options, the widget's look, and a live preview of the unsaved look. */
@customElement('parley-embed-page')
export class ParleyEmbedPage extends LitElement {
  static override styles = [sharedStyles, css`
    .layout { display: grid; grid-template-columns: minmax(0, 1fr) minmax(320px, 1fr); gap: 20px; align-items: start; }
    @media (max-width: 1100px) { .layout { grid-template-columns: 1fr; } }
    pre { white-space: pre-wrap; word-break: break-all; background: var(--parley-bg); border: 1px solid var(--parley-border); border-radius: 6px; padding: 12px; margin: 0 0 8px; }
    .options-heading { margin-top: 16px; }
  `];

  /** The signed-in workspace. */
  @property({ attribute: false }) ctx!: DashboardContext;

  @state() private options: SnippetOptions = defaultSnippetOptions;
  @state() private theme: Theme | undefined;
  @state() private strings: Strings | undefined;
  @state() private errors: Record<string, string> = {};
  @state() private dirty = false;

  private readonly pk = new Resource<string>(this, { key: () => this.ctx.workspace.id, load: (s) => publishableKey(this.ctx.api, s) });
  private readonly settings = new Resource<WidgetSettings>(this, {
    key: () => this.ctx.workspace.id,
    load: async (s) => {
      const value = await this.ctx.api.get<WidgetSettings>('/api/widget/settings', s);
      this.theme = value.theme;
      this.strings = value.strings;
      this.dirty = false;
      return value;
    },
  });

  private setOption<K extends keyof SnippetOptions>(key: K, value: SnippetOptions[K]): void {
    this.options = { ...this.options, [key]: value };
  }

  private setTheme<K extends keyof Theme>(key: K, value: Theme[K]): void {
    if (this.theme) this.theme = { ...this.theme, [key]: value };
    this.dirty = true;
  }

  private setString<K extends keyof Strings>(key: K, value: string): void {
    if (this.strings) this.strings = { ...this.strings, [key]: value };
    this.dirty = true;
  }

  private async save(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    this.errors = {};
    try {
      const saved = await this.ctx.api.patch<WidgetSettings>('/api/widget/settings', { theme: this.theme, strings: this.strings });
      this.settings.set(saved);
      this.dirty = false;
      toast(this, 'success', 'Widget look saved: visitors see it on their next page load');
    } catch (err) {
      this.errors = err instanceof ApiError ? err.fields : {};
      toast(this, 'error', `Not saved: ${(err as Error).message}. Visitors still see the previous look.`);
    }
  }

  private revert(): void {
    this.theme = this.settings.value?.theme;
    this.strings = this.settings.value?.strings;
    this.dirty = false;
    this.errors = {};
  }

  private renderSnippetOptions() {
    const o = this.options;
    return html`<div class="fields-2">
      <label class="field"><span>data-position</span><select @change=${(e: Event) => this.setOption('position', (e.target as HTMLSelectElement).value as SnippetOptions['position'])}>
        <option value="">the saved look</option><option value="right">right</option><option value="left">left</option></select></label>
      <label class="field"><span>data-locale</span><select @change=${(e: Event) => this.setOption('locale', (e.target as HTMLSelectElement).value as SnippetOptions['locale'])}>
        <option value="">visitor's browser</option>${(['en', 'de', 'es', 'fr'] as const).map((l) => html`<option>${l}</option>`)}</select></label>
      <label class="field"><span>data-z-index</span><input inputmode="numeric" .value=${o.zIndex} @input=${(e: Event) => this.setOption('zIndex', (e.target as HTMLInputElement).value)} /></label>
      <label class="field"><span>data-color (before the look loads)</span><input placeholder="#4f46e5" .value=${o.color} @input=${(e: Event) => this.setOption('color', (e.target as HTMLInputElement).value)} /></label>
    </div>
    <label class="check"><input type="checkbox" .checked=${o.open} @change=${(e: Event) => this.setOption('open', (e.target as HTMLInputElement).checked)} /> data-open: open the chat when the page loads</label>
    <label class="check"><input type="checkbox" .checked=${!o.launcher} @change=${(e: Event) => this.setOption('launcher', !(e.target as HTMLInputElement).checked)} /> <span>data-launcher="false": no button; open it from your page with <code>Parley('open')</code></span></label>`;
  }

  private renderLook(theme: Theme, strings: Strings) {
    const e = this.errors;
    const color = (key: 'accentColor' | 'backgroundColor' | 'textColor', label: string) => field({ id: `t-${key}`, label, error: e[`theme.${key}`] }, (a) =>
      html`<input id=${a.id} type="color" .value=${theme[key]} @input=${(ev: Event) => this.setTheme(key, (ev.target as HTMLInputElement).value)} aria-describedby=${a.describedBy} />`);
    const text = (key: 'title' | 'placeholder' | 'buyCredits', label: string) => field({ id: `s-${key}`, label, error: e[`strings.${key}`] }, (a) =>
      html`<input id=${a.id} .value=${strings[key]} @input=${(ev: Event) => this.setString(key, (ev.target as HTMLInputElement).value)} aria-describedby=${a.describedBy} aria-invalid=${a.invalid} />`);
    return html`<form @submit=${this.save} novalidate aria-label="Widget look"><fieldset ?disabled=${!this.ctx.canWrite}>
      <div class="fields-2">${color('accentColor', 'Accent')}${color('backgroundColor', 'Background')}${color('textColor', 'Text')}
        ${field({ id: 't-position', label: 'Position', error: e['theme.position'] }, (a) => html`<select id=${a.id} @change=${(ev: Event) => this.setTheme('position', (ev.target as HTMLSelectElement).value as Theme['position'])} aria-describedby=${a.describedBy}>
          ${(['bottom-right', 'bottom-left'] as const).map((p) => html`<option ?selected=${p === theme.position}>${p}</option>`)}</select>`)}
        ${field({ id: 't-radius', label: 'Corner radius (px)', error: e['theme.radiusPx'] }, (a) => html`<input id=${a.id} type="number" min="0" max="32" .value=${String(theme.radiusPx)}
          @input=${(ev: Event) => this.setTheme('radiusPx', Number((ev.target as HTMLInputElement).value))} aria-describedby=${a.describedBy} aria-invalid=${a.invalid} />`)}
      </div>
      <div class="fields-2">${text('title', 'Title')}${text('placeholder', 'Message placeholder')}${text('buyCredits', 'Buy button')}</div>
      <div class="row"><button class="primary" ?disabled=${!this.dirty}>Save look</button>
        ${this.dirty ? html`<button type="button" @click=${this.revert}>Discard changes</button><span class="muted">The preview shows your unsaved changes.</span>` : nothing}</div>
    </fieldset></form>`;
  }

  override render() {
    const origin = location.origin;
    return html`${pageHeader(this.ctx, 'Embed', 'Paste the snippet before </body> on your site. Allowed origins are set in Settings.')}
      <div class="layout">
        <div>
          <section class="card"><h2>Snippet</h2>${loaded(this.pk, 'your publishable key', (key) => key ? html`
            <pre data-testid="snippet">${snippet(origin, key, this.options)}</pre>
            <parley-copy-button label="Copy snippet" .text=${snippet(origin, key, this.options)}></parley-copy-button>
            <h3 class="options-heading">Options</h3>${this.renderSnippetOptions()}`
            : html`<parley-empty-state heading="No publishable key">Create one on the <a href="/dashboard/keys">API keys</a> page.</parley-empty-state>`)}</section>
          <section class="card"><h2>Look</h2>${loaded(this.settings, 'the widget look', () => (this.theme && this.strings ? this.renderLook(this.theme, this.strings) : nothing))}</section>
        </div>
        <section class="card"><h2>Live preview</h2><p class="muted">The real widget with your unsaved look. Chatting here counts as one visitor of your site.</p>
          ${this.pk.value === undefined ? nothing : html`<parley-widget-preview .key=${this.pk.value} .theme=${this.theme} .strings=${this.strings}></parley-widget-preview>`}</section>
      </div>`;
  }
}
