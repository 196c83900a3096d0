import { html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { VisitorSummary } from '../../../../server/src/wire/dashboard';
import { Resource } from '../../controllers/resource';
import { qs } from '../../lib/api';
import type { DashboardContext } from '../../lib/context';
import { emit } from '../../lib/events';
import { credits, relative } from '../../lib/format';
import { loaded, pageHeader } from '../../lib/page';
import { sharedStyles } from '../../styles/shared';

interface Page {
  data: VisitorSummary[];
  nextCursor: string | null;
}

/** Visitors: search by id, external id, email or name; balances at a glance. */
@customElement('parley-visitors-page')
export class ParleyVisitorsPage extends LitElement {
  static override styles = sharedStyles;

  /** The signed-in workspace. */
  @property({ attribute: false }) ctx!: DashboardContext;
  /** The search, from the address (?q=), so a search can be shared and survives reload. */
  @property() search = '';

  @state() private more: VisitorSummary[] = [];
  @state() private cursor: string | null = null;

  private readonly page = new Resource<Page>(this, {
    key: () => `${this.ctx.workspace.id}|${this.search}`,
    load: async (signal) => {
      const page = await this.ctx.api.get<Page>(`/api/visitors${qs({ q: this.search, limit: 25 })}`, signal);
      this.more = [];
      this.cursor = page.nextCursor;
      return page;
    },
  });

  private submit(event: SubmitEvent): void {
    event.preventDefault();
    const q = String(new FormData(event.target as HTMLFormElement).get('q') ?? '').trim();
    emit(this, 'parley-navigate', { path: `/visitors${qs({ q })}` });
  }

  private async loadMore(): Promise<void> {
    const next = await this.ctx.api.get<Page>(`/api/visitors${qs({ q: this.search, cursor: this.cursor, limit: 25 })}`);
    this.more = [...this.more, ...next.data];
    this.cursor = next.nextCursor;
  }

  override render() {
    return html`${pageHeader(this.ctx, 'Visitors', 'Everyone who opened the widget: their balance, grants, ledger and conversations.')}
      <form class="row" role="search" @submit=${this.submit}>
        <label class="sr-only" for="q">Search visitors</label>
        <input id="q" name="q" type="search" placeholder="Email, name, your user id, or visitor id" .value=${this.search} />
        <button class="primary">Search</button>
        ${this.search ? html`<a href="/dashboard/visitors">Clear</a>` : nothing}
      </form>
      <section class="card">${loaded(this.page, 'visitors', ({ data }) => {
        const rows = [...data, ...this.more];
        if (!rows.length) {
          return html`<parley-empty-state heading=${this.search ? 'No visitor matches' : 'No visitors yet'}>${this.search
            ? 'Try part of an email, a user id from your site, or a full visitor id.'
            : 'Visitors appear when someone opens the widget on your site. Paste the snippet from the Embed page.'}</parley-empty-state>`;
        }
        return html`<div class="table-wrap"><table>
          <thead><tr><th>Visitor</th><th class="num">Balance</th><th class="num">Available</th><th>First seen</th><th>Last seen</th></tr></thead>
          <tbody>${rows.map((v) => html`<tr>
            <td><a href="/dashboard/visitors/${v.id}">${v.email ?? v.name ?? v.externalUserId ?? `Anonymous ${v.id.slice(0, 8)}`}</a>
              ${v.externalUserId ? html`<div class="muted">user ${v.externalUserId}</div>` : nothing}
              ${v.blockedAt ? html`<span class="badge bad">blocked</span>` : nothing}</td>
            <td class="num">${credits(v.balance)}</td><td class="num">${credits(v.available)}</td>
            <td>${relative(v.createdAt)}</td><td>${relative(v.lastSeenAt)}</td></tr>`)}</tbody></table></div>
          ${this.cursor ? html`<p><button @click=${this.loadMore}>Load more</button></p>` : nothing}`;
      })}</section>`;
  }
}
