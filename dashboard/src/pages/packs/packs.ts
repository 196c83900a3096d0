import { html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Pack } from '../../../../server/src/wire/dashboard';
import { field } from '../../components/field/field';
import { Resource } from '../../controllers/resource';
import { ApiError } from '../../lib/api';
import type { DashboardContext } from '../../lib/context';
import { toast } from '../../lib/events';
import { credits, minorDigits, money, parseCredits, parseMoney } from '../../lib/format';
import { loaded, pageHeader } from '../../lib/page';
import { moveItem } from '../../lib/reorder';
import { sharedStyles } from '../../styles/shared';

/** Price of one credit, in the pack's currency, to 4 decimals (a fraction of a cent is normal). */
export function pricePerCredit(pack: { amountMinor: number; credits: number; currency: string }): string {
  const major = pack.amountMinor / 10 ** minorDigits(pack.currency) / (pack.credits / 1000);
  return `${major.toFixed(4)} ${pack.currency}`;
}

/** Credit packs: what visitors can buy, for how much; the price per credit beside each. */
@customElement('parley-packs-page')
export class ParleyPacksPage extends LitElement {
  static override styles = sharedStyles;

  /** The signed-in workspace. */
  @property({ attribute: false }) ctx!: DashboardContext;

  @state() private editing: string | undefined;
  @state() private errors: Record<string, string> = {};
  @state() private draft = { credits: '', price: '', currency: 'USD' };

  private readonly packs = new Resource<{ data: Pack[] }>(this, { key: () => this.ctx.workspace.id, load: (s) => this.ctx.api.get('/api/packs', s) });

  private edit(pack: Pack | undefined): void {
    this.editing = pack?.id ?? 'new';
    this.errors = {};
    this.draft = pack
      ? { credits: credits(pack.credits), price: (pack.amountMinor / 10 ** minorDigits(pack.currency)).toFixed(minorDigits(pack.currency)), currency: pack.currency }
      : { credits: '', price: '', currency: 'USD' };
  }

  private async save(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const d = new FormData(event.target as HTMLFormElement);
    const currency = String(d.get('currency') ?? '').trim().toUpperCase();
    const body = {
      name: String(d.get('name') ?? ''),
      credits: parseCredits(String(d.get('credits'))) ?? -1,
      amountMinor: parseMoney(String(d.get('price')), currency) ?? -1,
      currency,
      badge: String(d.get('badge') ?? '').trim() || null,
      active: d.get('active') === 'on',
    };
    const existing = this.packs.value?.data.find((p) => p.id === this.editing);
    try {
      if (existing) await this.ctx.api.patch(`/api/packs/${existing.id}`, body);
      else await this.ctx.api.post('/api/packs', { ...body, sortOrder: this.packs.value?.data.length ?? 0 });
      toast(this, 'success', existing ? 'Pack saved' : `Pack "${body.name}" created`);
      this.editing = undefined;
      await this.packs.reload();
    } catch (err) {
      const fields = err instanceof ApiError ? err.fields : {};
      this.errors = { ...fields, ...(fields.amountMinor ? { price: fields.amountMinor } : {}), ...(Object.keys(fields).length ? {} : { name: (err as Error).message }) };
    }
  }

  private async change(next: Pack[], requests: Array<() => Promise<unknown>>, what: string): Promise<void> {
    const before = this.packs.value;
    this.packs.set({ data: next });
    try {
      for (const r of requests) await r();
    } catch (err) {
      if (before) this.packs.set(before);
      toast(this, 'error', `Could not ${what}: ${(err as Error).message}. The change was undone.`);
    }
  }

  private move(pack: Pack, delta: -1 | 1): void {
    const moved = moveItem(this.packs.value?.data ?? [], pack.id, delta, (p) => p.sortOrder);
    if (moved) void this.change(moved.next.map((p, i) => ({ ...p, sortOrder: i })), moved.changes.map(({ item, index }) => () => this.ctx.api.patch(`/api/packs/${item.id}`, { sortOrder: index })), 'reorder');
  }

  private toggle(pack: Pack): void {
    const next = (this.packs.value?.data ?? []).map((p) => (p.id === pack.id ? { ...p, active: !p.active } : p));
    void this.change(next, [() => this.ctx.api.patch(`/api/packs/${pack.id}`, { active: !pack.active })], pack.active ? 'deactivate' : 'activate');
  }

  private renderForm() {
    const p = this.packs.value?.data.find((x) => x.id === this.editing);
    const e = this.errors;
    const c = parseCredits(this.draft.credits);
    const m = parseMoney(this.draft.price, this.draft.currency);
    const per = c && m && /^[A-Z]{3}$/.test(this.draft.currency) ? pricePerCredit({ credits: c, amountMinor: m, currency: this.draft.currency }) : '–';
    const set = (key: 'credits' | 'price' | 'currency') => (ev: Event) => {
      const value = (ev.target as HTMLInputElement).value;
      this.draft = { ...this.draft, [key]: key === 'currency' ? value.toUpperCase() : value };
    };
    return html`<section class="card"><form @submit=${this.save} novalidate aria-label=${p ? `Edit ${p.name}` : 'New pack'}><fieldset ?disabled=${!this.ctx.canWrite}>
      <div class="fields-2">
        ${field({ id: 'k-name', label: 'Name', error: e.name }, (a) => html`<input id=${a.id} name="name" .defaultValue=${p?.name ?? ''} aria-describedby=${a.describedBy} aria-invalid=${a.invalid} />`)}
        ${field({ id: 'k-credits', label: 'Credits', error: e.credits }, (a) => html`<input id=${a.id} name="credits" inputmode="decimal" .value=${this.draft.credits} @input=${set('credits')} aria-describedby=${a.describedBy} aria-invalid=${a.invalid} />`)}
        ${field({ id: 'k-price', label: 'Price', error: e.price }, (a) => html`<input id=${a.id} name="price" inputmode="decimal" .value=${this.draft.price} @input=${set('price')} aria-describedby=${a.describedBy} aria-invalid=${a.invalid} />`)}
        ${field({ id: 'k-currency', label: 'Currency', error: e.currency, hint: 'ISO code: USD, EUR, GBP…' }, (a) => html`<input id=${a.id} name="currency" maxlength="3" .value=${this.draft.currency} @input=${set('currency')} aria-describedby=${a.describedBy} aria-invalid=${a.invalid} />`)}
        ${field({ id: 'k-badge', label: 'Badge (optional)', error: e.badge, hint: 'e.g. "Best value"' }, (a) => html`<input id=${a.id} name="badge" maxlength="40" .defaultValue=${p?.badge ?? ''} aria-describedby=${a.describedBy} aria-invalid=${a.invalid} />`)}
      </div>
      <p aria-live="polite" data-testid="price-per-credit">Price per credit: <strong>${per}</strong></p>
      <label class="check"><input type="checkbox" name="active" ?checked=${p?.active ?? true} /> On sale</label>
      <div class="row"><button class="primary">${p ? 'Save pack' : 'Create pack'}</button><button type="button" @click=${() => (this.editing = undefined)}>Cancel</button></div>
    </fieldset></form></section>`;
  }

  override render() {
    const off = !this.ctx.canWrite;
    return html`${pageHeader(this.ctx, 'Credit packs', 'What visitors can buy. Without Stripe keys, purchases go through a demo checkout.',
        html`<button class="primary" ?disabled=${off} @click=${() => this.edit(undefined)}>New pack</button>`)}
      ${this.editing ? this.renderForm() : nothing}
      <section class="card">${loaded(this.packs, 'packs', ({ data }) => data.length ? html`<div class="table-wrap"><table>
        <thead><tr><th>Pack</th><th class="num">Credits</th><th class="num">Price</th><th class="num">Per credit</th><th>Status</th><th><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>${data.map((p, i) => html`<tr>
          <td><strong>${p.name}</strong> ${p.badge ? html`<span class="badge warn">${p.badge}</span>` : nothing}</td>
          <td class="num">${credits(p.credits)}</td><td class="num">${money(p.amountMinor, p.currency)}</td><td class="num">${pricePerCredit(p)}</td>
          <td><span class="badge ${p.active ? 'ok' : ''}">${p.active ? 'on sale' : 'inactive'}</span></td>
          <td class="row"><button aria-label="Move ${p.name} up" ?disabled=${off || i === 0} @click=${() => this.move(p, -1)}>↑</button>
            <button aria-label="Move ${p.name} down" ?disabled=${off || i === data.length - 1} @click=${() => this.move(p, 1)}>↓</button>
            <button ?disabled=${off} @click=${() => this.toggle(p)}>${p.active ? 'Deactivate' : 'Activate'}</button>
            <button ?disabled=${off} @click=${() => this.edit(p)}>Edit</button></td></tr>`)}</tbody></table></div>`
        : html`<parley-empty-state heading="No packs yet">Create a pack so visitors can top up when they run out of credits.</parley-empty-state>`)}
      </section>`;
  }
}
