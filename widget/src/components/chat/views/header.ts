import { html, nothing } from 'lit';
import { credits } from '../../../lib/format';
import { avatar, icon, type PanelState, type ViewContext } from './shared';

/** Persona avatar and name (a picker when there are several), the model, the balance pill, and actions. */
export function renderHeader(ctx: ViewContext, state: PanelState, close: () => void) {
  const { t, locale, go } = ctx;
  const name = state.persona?.name ?? t('chat');
  const balance = state.balance;
  return html`<header part="header">
    ${avatar(state.persona)}
    <div class="who">
      ${state.personas.length > 1
        ? html`<button class="title" id="title" aria-label=${`${name}. ${t('chooseAssistant')}`} @click=${() => go('personas')}>${name} ▾</button>`
        : html`<h2 class="title" id="title">${name}</h2>`}
      ${state.model && state.models.length > 1
        ? html`<button class="sub" aria-label=${`${t('model')}: ${state.model.name}. ${t('chooseModel')}`} @click=${() => go('models')}>${state.model.name} ▾</button>`
        : nothing}
    </div>
    ${balance
      ? html`<button part="balance" class=${balance.lowBalance ? 'pill low' : 'pill'} aria-label=${t('balance', { n: credits(balance.balance, locale) })} @click=${() => go('shop')}>
          ${t('credits', { n: credits(balance.balance, locale) })}
        </button>`
      : nothing}
    <button class="icon" aria-label=${t('conversations')} @click=${() => go('conversations')}>${icon('list')}</button>
    <button class="icon" aria-label=${t('closeChat')} @click=${close}>${icon('close')}</button>
  </header>`;
}
