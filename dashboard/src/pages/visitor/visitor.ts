import { html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { ConversationSummary, Purchase, Statement, VisitorDetail } from '../../../../server/src/wire/dashboard';
import { Resource } from '../../controllers/resource';
import { qs } from '../../lib/api';
import type { DashboardContext } from '../../lib/context';
import { credits, dateTime, money } from '../../lib/format';
import { loaded, pageHeader } from '../../lib/page';
import { sharedStyles } from '../../styles/shared';
import './adjust-form';

/** One visitor: balance, grants with expiry, holds, statement, adjustments, conversations, purchases. */
@customElement('parley-visitor-page')
export class ParleyVisitorPage extends LitElement {
  static override styles = sharedStyles;

  /** The signed-in workspace. */
  @property({ attribute: false }) ctx!: DashboardContext;
  /** Which visitor, from the address. */
  @property() visitorId = '';

  @state() private olderLines: Statement['data'] = [];
  @state() private cursor: string | null = null;

  private readonly key = () => `${this.ctx.workspace.id}|${this.visitorId}`;
  private readonly detail = new Resource<VisitorDetail>(this, { key: this.key, load: (s) => this.ctx.api.get(`/api/visitors/${this.visitorId}`, s) });
  private readonly statement = new Resource<Statement>(this, {
    key: this.key,
    load: async (s) => {
      const page = await this.ctx.api.get<Statement>(`/api/visitors/${this.visitorId}/statement?limit=50`, s);
      this.olderLines = [];
      this.cursor = page.nextCursor;
      return page;
    },
  });
  private readonly conversations = new Resource<{ data: ConversationSummary[] }>(this, { key: this.key, load: (s) => this.ctx.api.get(`/api/conversations${qs({ visitorId: this.visitorId, limit: 50 })}`, s) });
  private readonly purchases = new Resource<{ data: Purchase[] }>(this, { key: this.key, load: (s) => this.ctx.api.get(`/api/purchases${qs({ visitorId: this.visitorId, limit: 50 })}`, s) });

  private async older(): Promise<void> {
    const page = await this.ctx.api.get<Statement>(`/api/visitors/${this.visitorId}/statement${qs({ cursor: this.cursor, limit: 50 })}`);
    this.olderLines = [...this.olderLines, ...page.data];
    this.cursor = page.nextCursor;
  }

  private adjusted(): void {
    void this.detail.reload();
    void this.statement.reload();
  }

  override render() {
    const d = this.detail.value;
    const who = d ? d.visitor.email ?? d.visitor.name ?? d.visitor.externalUserId ?? `Anonymous visitor ${d.visitor.id.slice(0, 8)}` : 'Visitor';
    return html`<p><a href="/dashboard/visitors">← Visitors</a></p>
      ${pageHeader(this.ctx, who, d ? html`<span class="mono">${d.visitor.id}</span> · first seen ${dateTime(d.visitor.createdAt)} · last seen ${dateTime(d.visitor.lastSeenAt)}` : '')}
      ${loaded(this.detail, 'the visitor', (v) => html`
        <div class="grid-2">
          <section class="card" aria-label="Balance"><h2>Balance</h2>
            <p><strong data-testid="balance">${credits(v.balance.balance)}</strong> credits · ${credits(v.balance.available)} available
              ${v.balance.reserved ? html` · ${credits(v.balance.reserved)} held for replies in progress` : nothing}</p>
            ${v.balance.nextExpiry ? html`<p class="muted">${credits(v.balance.nextExpiry.amount)} expire ${dateTime(v.balance.nextExpiry.at)}</p>` : nothing}
            <h3>Adjust</h3><parley-adjust-form .api=${this.ctx.api} .visitorId=${this.visitorId} ?disabled=${!this.ctx.canWrite} @parley-adjusted=${this.adjusted}></parley-adjust-form>
          </section>
          <section class="card"><h2>Grants</h2>${v.grants.length ? html`<table><thead><tr><th>Source</th><th class="num">Left / granted</th><th>Expires</th></tr></thead>
            <tbody>${v.grants.map((g) => html`<tr><td>${g.source}</td><td class="num">${credits(g.remaining)} / ${credits(g.amount)}</td>
              <td>${g.expiresAt ? dateTime(g.expiresAt) : 'never'} ${g.expired ? html`<span class="badge bad">expired</span>` : nothing}</td></tr>`)}</tbody></table>`
            : html`<p class="muted">No credits left from any grant.</p>`}
            <h2>Holds</h2>${v.holds.length ? html`<table><tbody>${v.holds.map((h) => html`<tr><td class="num">${credits(h.amount)}</td><td>until ${dateTime(h.expiresAt)}</td></tr>`)}</tbody></table>`
            : html`<p class="muted">No reply in progress.</p>`}
          </section>
        </div>`)}
      <section class="card"><h2>Statement</h2>${loaded(this.statement, 'the statement', ({ data }) => {
        const lines = [...data, ...this.olderLines];
        return lines.length ? html`<div class="table-wrap"><table><thead><tr><th>When</th><th>What</th><th class="num">Amount</th><th class="num">Balance</th><th>By</th></tr></thead>
          <tbody>${lines.map((l) => html`<tr><td>${dateTime(l.createdAt)}</td><td>${l.kind}${l.reason ? html`<div class="muted">${l.reason}</div>` : nothing}</td>
            <td class="num">${l.amount > 0 ? '+' : ''}${credits(l.amount)}</td><td class="num">${credits(l.balanceAfter)}</td><td class="muted">${l.actor.type}</td></tr>`)}</tbody></table></div>
          ${this.cursor ? html`<button @click=${this.older}>Older lines</button>` : nothing}` : html`<p class="muted">Nothing booked yet.</p>`;
      })}</section>
      <div class="grid-2">
        <section class="card"><h2>Conversations</h2>${loaded(this.conversations, 'conversations', ({ data }) => data.length
          ? html`<table><tbody>${data.map((c) => html`<tr><td><a href="/dashboard/conversations/${c.id}">${c.title || 'Untitled'}</a><div class="muted">${c.personaName ?? ''} · ${dateTime(c.createdAt)}</div></td>
              <td class="num">${c.messages} msgs</td><td class="num">${credits(c.creditsCharged)} cr</td></tr>`)}</tbody></table>`
          : html`<p class="muted">No conversations yet.</p>`)}</section>
        <section class="card"><h2>Purchases</h2>${loaded(this.purchases, 'purchases', ({ data }) => data.length
          ? html`<table><tbody>${data.map((p) => html`<tr><td>${p.packName}<div class="muted">${dateTime(p.paidAt ?? p.createdAt)} · ${p.provider}</div></td>
              <td class="num">${money(p.amountMinor, p.currency)}</td><td class="num">${credits(p.credits)} cr</td><td><span class="badge ${p.status === 'paid' ? 'ok' : ''}">${p.status}</span></td></tr>`)}</tbody></table>`
          : html`<p class="muted">No purchases yet.</p>`)}</section>
      </div>`;
  }
}
