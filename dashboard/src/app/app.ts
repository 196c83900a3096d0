import { html, LitElement, nothing } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import type { Me } from '../../../server/src/wire/dashboard';
import { LiveClient } from '../controllers/live';
import { Router } from '../controllers/router';
import { Api, ApiError } from '../lib/api';
import type { DashboardContext } from '../lib/context';
import type { ParleyToaster } from '../components/toaster/toaster';
import { appStyles } from './app.styles';
import { navLinks } from './nav';
import { isPublicPage, renderPage } from './pages';

/**
 * The application: who is signed in, which workspace, the menu, and the current page. Pages get
 * everything through one `ctx` property; they talk back with bubbling events (toast, navigate,
 * session), so none of them holds a reference to the shell.
 */
@customElement('parley-dashboard')
export class ParleyDashboard extends LitElement {
  static override styles = appStyles;

  @state() private me: Me | null | undefined;
  @state() private bootError: string | undefined;
  @state() private menuOpen = false;
  @state() private liveOn = false;
  @query('parley-toaster') private toaster!: ParleyToaster;

  private readonly api = new Api();
  private readonly live = new LiveClient();
  private readonly router = new Router(this);
  private ctx: DashboardContext | undefined;

  constructor() {
    super();
    this.api.onUnauthenticated = () => this.signedOut();
    this.live.onState = (on) => (this.liveOn = on);
    this.addEventListener('parley-toast', (e) => this.toaster.show(e.detail.kind, e.detail.message));
    this.addEventListener('parley-navigate', (e) => this.router.go(e.detail.path));
    this.addEventListener('parley-session', (e) => void this.loadMe(e.detail.csrfToken));
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.loadMe();
  }

  private async loadMe(csrfToken?: string): Promise<void> {
    if (csrfToken) this.api.csrfToken = csrfToken;
    try {
      this.setMe(await this.api.get<Me>('/api/auth/me'));
      this.bootError = undefined;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) this.me = null;
      else this.bootError = (err as Error).message;
    }
  }

  private setMe(me: Me): void {
    const previous = this.ctx?.workspace.id;
    this.me = me;
    this.api.csrfToken = me.csrfToken;
    const current = me.workspaces.find((w) => w.id === me.currentWorkspaceId);
    this.ctx = current
      ? {
          api: this.api, me, workspace: current, live: this.live,
          canWrite: current.role !== 'analyst', isOwner: current.role === 'owner',
        }
      : undefined;
    if (current && current.id !== previous) this.live.connect();
    if (!current) this.live.disconnect();
    const page = this.router.route.page;
    if (page === 'login' || page === 'signup') this.router.go('/', true);
  }

  private signedOut(): void {
    this.me = null;
    this.ctx = undefined;
    this.live.disconnect();
  }

  private async switchWorkspace(tenantId: string): Promise<void> {
    try {
      this.setMe(await this.api.post<Me>('/api/auth/workspace', { tenantId }));
      this.toaster.show('info', `Switched to ${this.ctx?.workspace.name ?? 'the workspace'}`);
    } catch (err) {
      this.toaster.show('error', `Could not switch workspace: ${(err as Error).message}`);
    }
  }

  private async logout(): Promise<void> {
    await this.api.post('/api/auth/logout').catch(() => undefined);
    this.signedOut();
    this.router.go('/login');
  }

  override render() {
    const route = this.router.route;
    if (this.bootError) return html`<div class="center"><p role="alert">The dashboard cannot reach the server: ${this.bootError} <button @click=${() => this.loadMe()}>Try again</button></p></div><parley-toaster></parley-toaster>`;
    if (this.me === undefined) return html`<div class="center" aria-busy="true">Loading…</div><parley-toaster></parley-toaster>`;
    if (!this.me || isPublicPage(route.page)) {
      return html`<main id="main" class="center">${renderPage(route, undefined, this.api, !!this.me)}</main><parley-toaster></parley-toaster>`;
    }
    return html`
      <a class="skip" href="#main" @click=${(e: Event) => { e.preventDefault(); this.renderRoot.querySelector<HTMLElement>('main')?.focus(); }}>Skip to content</a>
      <div class="layout">
        <aside class=${this.menuOpen ? 'open' : ''} @click=${(e: Event) => (e.target as HTMLElement).tagName === 'A' && (this.menuOpen = false)}>
          <div class="brand">Parley
            <button class="menu-toggle" aria-expanded=${this.menuOpen} aria-controls="menu" @click=${() => (this.menuOpen = !this.menuOpen)}>Menu</button>
          </div>
          ${this.renderWorkspace()}
          <nav id="menu" aria-label="Dashboard">${navLinks(route.page)}</nav>
          <div class="account">
            <span class="live ${this.liveOn ? 'on' : ''}" title="New conversations and purchases appear without reloading"><span class="dot"></span>${this.liveOn ? 'Live' : 'Offline'}</span>
            <span>${this.me.user.email}</span>
            <button @click=${this.logout}>Log out</button>
          </div>
        </aside>
        <main id="main" tabindex="-1">${renderPage(route, this.ctx, this.api, true)}</main>
      </div>
      <parley-toaster></parley-toaster>`;
  }

  private renderWorkspace() {
    const me = this.me!;
    if (!this.ctx) return nothing;
    return html`<div class="workspace">
      <label for="ws">Workspace</label>
      <select id="ws" @change=${(e: Event) => this.switchWorkspace((e.target as HTMLSelectElement).value)}>
        ${me.workspaces.map((w) => html`<option value=${w.id} ?selected=${w.id === me.currentWorkspaceId}>${w.name} (${w.role})</option>`)}
      </select>
    </div>`;
  }
}
