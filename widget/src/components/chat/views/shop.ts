import { html, nothing } from 'lit';
import type { PackView } from '../../../../../server/src/wire/chat';
import type { Purchase, PurchaseStep } from '../../../controllers/purchase';
import { credits, money } from '../../../lib/format';
import { packButton } from './notices';
import { subHeading, type PanelState, type ViewContext } from './shared';

export interface ShopActions {
  buy: (pack: PackView) => void;
  reset: () => void;
  history: () => void;
}

/** Balance, the packs, and the purchase in progress: waiting for payment, then the confirmation. */
export function renderShop(ctx: ViewContext, state: PanelState, step: PurchaseStep, actions: ShopActions) {
  const { t, locale } = ctx;
  return html`${subHeading(ctx, t('packs'))}
    ${state.balance ? html`<p class="big">${t('credits', { n: credits(state.balance.balance, locale) })}</p>` : nothing}
    ${step.step === 'waiting' || step.step === 'starting'
      ? html`<div class="notice info" role="status">
          <p><strong>${t('waiting')}</strong></p>
          <p>${t('waitingHint')}</p>
          ${step.step === 'waiting'
            ? html`<a class="btn primary" href=${step.url} target="_blank" rel="noopener noreferrer">${t('openCheckout')}</a>`
            : nothing}
          <button class="btn plain" @click=${actions.reset}>${t('cancel')}</button>
        </div>`
      : step.step === 'paid'
        ? html`<div class="notice ok" role="status">
            <p>${t('paid', { n: credits(step.credits, locale) })}</p>
            <button class="btn primary" @click=${() => (actions.reset(), ctx.go('chat'))}>${t('continue')}</button>
          </div>`
        : html`${step.step === 'failed' ? html`<div class="notice bad" role="alert"><p>${t('internal')}</p></div>` : nothing}
            <div class="packs">
              ${state.packs.map(
                (pack) => html`<div class="pack-row">
                  <span>${pack.name}${pack.badge ? html` <em class="badge">${pack.badge}</em>` : nothing}<br />
                    <small>${t('credits', { n: credits(pack.credits, locale) })}</small></span>
                  ${packButton(ctx, pack, actions.buy)}
                </div>`,
              )}
            </div>`}
    <button class="btn plain" @click=${actions.history}>${t('history')}</button>`;
}

/** Past purchases, newest first. */
export function renderHistory(ctx: ViewContext, purchases: Purchase[] | undefined) {
  const { t, locale } = ctx;
  return html`${subHeading(ctx, t('history'))}
    ${!purchases
      ? html`<p>${t('loading')}</p>`
      : purchases.length === 0
        ? html`<p>${t('noPurchases')}</p>`
        : html`<ul class="rows">
            ${purchases.map(
              (p) => html`<li>
                <span>${new Date(p.createdAt).toLocaleDateString(locale)} · ${t('credits', { n: credits(p.credits, locale) })}</span>
                <span>${money(p.amountMinor, p.currency, locale)} · ${p.status}</span>
              </li>`,
            )}
          </ul>`}`;
}
