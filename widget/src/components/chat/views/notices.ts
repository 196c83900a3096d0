import { html, nothing } from 'lit';
import type { PackView, WireError } from '../../../../../server/src/wire/chat';
import type { StringKey } from '../../../i18n';
import { credits, money } from '../../../lib/format';
import type { ViewContext } from './shared';

/** The message for each gateway error code. */
const messages: Record<string, StringKey> = {
  insufficient_credits: 'outOfCredits',
  rate_limited: 'rateLimited',
  provider_unavailable: 'providerUnavailable',
  invalid_message: 'invalidMessage',
  origin_not_allowed: 'notAllowed',
  invalid_key: 'notAllowed',
  visitor_blocked: 'blocked',
  not_found: 'notFound',
  too_many_turns: 'tooManyTurns',
};

export interface NoticeActions {
  buy: (pack: PackView) => void;
  retry: () => void;
  dismiss: () => void;
}

/** Seconds left of a rate limit, never below zero. */
export const secondsLeft = (until: number, now: number) => Math.max(0, Math.ceil((until - now) / 1000));

/**
 * The error state for a gateway code, with the way forward: packs with Buy buttons when out of
 * credits, a live countdown when rate limited, Retry when the provider is down.
 */
export function renderNotice(ctx: ViewContext, error: WireError, packs: PackView[], rateLimitUntil: number, now: number, actions: NoticeActions) {
  const { t } = ctx;
  const code = error.code;
  const key = messages[code] ?? 'internal';
  const text = t(key, { n: secondsLeft(rateLimitUntil, now) });
  return html`<div class="notice ${code === 'insufficient_credits' ? 'info' : 'bad'}" part="notice" role="alert">
    <p>${text}</p>
    ${code === 'insufficient_credits'
      ? html`<div class="packs">${packs.map((pack) => packButton(ctx, pack, actions.buy))}</div>`
      : nothing}
    ${code === 'provider_unavailable' || code === 'internal'
      ? html`<button class="btn" @click=${actions.retry}>${t('retry')}</button>`
      : nothing}
    ${code !== 'rate_limited' ? html`<button class="btn plain" @click=${actions.dismiss}>${t('cancel')}</button>` : nothing}
  </div>`;
}

export function packButton(ctx: ViewContext, pack: PackView, buy: (pack: PackView) => void) {
  const price = money(pack.amountMinor, pack.currency, ctx.locale);
  return html`<button class="btn primary pack" part="buy" aria-label=${ctx.t('buyPack', { name: pack.name, price })} @click=${() => buy(pack)}>
    <span>${pack.name} <small>${ctx.t('credits', { n: credits(pack.credits, ctx.locale) })}</small></span><strong>${price}</strong>
  </button>`;
}

/** Offline or reconnecting: a bar under the header; messages typed meanwhile wait in the outbox. */
export function renderConnection(ctx: ViewContext, browserOnline: boolean, reconnecting: boolean) {
  if (browserOnline && !reconnecting) return nothing;
  return html`<div class="offline" part="offline" role="status">${ctx.t(browserOnline ? 'reconnecting' : 'offline')}</div>`;
}

/** The low-balance prompt, offered once per drop below the tenant's threshold. */
export function renderLowBalance(ctx: ViewContext, dismiss: () => void) {
  return html`<div class="notice info" part="notice low-balance">
    <p>${ctx.t('lowBalance')}</p>
    <button class="btn primary" @click=${() => ctx.go('shop')}>${ctx.t('buyCredits')}</button>
    <button class="btn plain" @click=${dismiss}>${ctx.t('cancel')}</button>
  </div>`;
}
