import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { ConversationSummary, LiveConversation, LivePurchase, Purchase } from '../../../../server/src/wire/dashboard';
import { LiveController } from '../../controllers/live';
import { Resource } from '../../controllers/resource';
import type { DashboardContext } from '../../lib/context';
import { credits, dateTime, money } from '../../lib/format';
import { loaded, pageHeader } from '../../lib/page';
import { sharedStyles } from '../../styles/shared';

type PurchaseRow = Pick<Purchase, 'id' | 'visitorId' | 'packName' | 'credits' | 'amountMinor' | 'currency' | 'status' | 'paidAt'> & { createdAt?: string };
type ConversationRow = Pick<ConversationSummary, 'id' | 'visitorId' | 'title' | 'createdAt'> & Partial<ConversationSummary>;

/** What is happening now: the latest conversations and purchases, arriving live. */
@customElement('parley-activity-page')
export class ParleyActivityPage extends LitElement {
  static override styles = [sharedStyles, css`
    tr.fresh { animation: flash 2.5s ease-out; }
    @keyframes flash { from { background: var(--parley-accent-soft); } to { background: transparent; } }
    @media (prefers-reduced-motion: reduce) { tr.fresh { animation: none; } }
  `];

  /** The signed-in workspace. */
  @property({ attribute: false }) ctx!: DashboardContext;

  @state() private liveConversations: ConversationRow[] = [];
  @state() private livePurchases: PurchaseRow[] = [];
  @state() private fresh = new Set<string>();
  @state() private announcement = '';

  private readonly conversations = new Resource<{ data: ConversationSummary[] }>(this, { key: () => this.ctx.workspace.id, load: (s) => this.ctx.api.get('/api/conversations?limit=20', s) });
  private readonly purchases = new Resource<{ data: Purchase[] }>(this, { key: () => this.ctx.workspace.id, load: (s) => this.ctx.api.get('/api/purchases?limit=20', s) });

  constructor() {
    super();
    new LiveController(this, () => this.ctx?.live, 'conversation:new', (c: LiveConversation) => {
      this.liveConversations = [c, ...this.liveConversations.filter((x) => x.id !== c.id)];
      this.mark(c.id, `New conversation: ${c.title || 'untitled'}`);
    });
    new LiveController(this, () => this.ctx?.live, 'purchase:update', (p: LivePurchase) => {
      this.livePurchases = [p, ...this.livePurchases.filter((x) => x.id !== p.id)];
      this.mark(p.id, `Purchase ${p.status}: ${p.packName}, ${money(p.amountMinor, p.currency)}`);
    });
  }

  private mark(id: string, announcement: string): void {
    this.fresh = new Set([...this.fresh, id]);
    this.announcement = announcement;
  }

  override render() {
    return html`${pageHeader(this.ctx, 'Activity', 'New conversations and purchases appear here as they happen, without reloading.')}
      <p class="sr-only" aria-live="polite">${this.announcement}</p>
      <div class="grid-2">
        <section class="card" aria-label="Latest conversations"><h2>Conversations</h2>${loaded(this.conversations, 'conversations', ({ data }) => {
          const rows: ConversationRow[] = [...this.liveConversations, ...data.filter((c) => !this.liveConversations.some((l) => l.id === c.id))];
          return rows.length ? html`<table><tbody>${rows.map((c) => html`<tr class=${this.fresh.has(c.id) ? 'fresh' : ''} data-conversation=${c.id}>
              <td><a href="/dashboard/conversations/${c.id}">${c.title || 'Untitled'}</a><div class="muted">${c.personaName ?? ''} ${dateTime(c.createdAt)}</div></td>
              <td><a href="/dashboard/visitors/${c.visitorId}">visitor</a></td>
              <td class="num">${c.creditsCharged === undefined ? html`<span class="badge warn">new</span>` : `${credits(c.creditsCharged)} cr`}</td></tr>`)}</tbody></table>`
            : html`<parley-empty-state heading="No conversations yet">They appear here the moment a visitor writes in the widget.</parley-empty-state>`;
        })}</section>
        <section class="card" aria-label="Latest purchases"><h2>Purchases</h2>${loaded(this.purchases, 'purchases', ({ data }) => {
          const rows: PurchaseRow[] = [...this.livePurchases, ...data.filter((p) => !this.livePurchases.some((l) => l.id === p.id))];
          return rows.length ? html`<table><tbody>${rows.map((p) => html`<tr class=${this.fresh.has(p.id) ? 'fresh' : ''} data-purchase=${p.id}>
              <td>${p.packName}<div class="muted">${dateTime(p.paidAt ?? p.createdAt)}</div></td><td><a href="/dashboard/visitors/${p.visitorId}">visitor</a></td>
              <td class="num">${money(p.amountMinor, p.currency)}</td><td class="num">${credits(p.credits)} cr</td>
              <td><span class="badge ${p.status === 'paid' ? 'ok' : ''}">${p.status}</span></td></tr>`)}</tbody></table>`
            : html`<parley-empty-state heading="No purchases yet">Purchases appear here when visitors buy a pack.</parley-empty-state>`;
        })}</section>
      </div>
      ${nothing}`;
  }
}
