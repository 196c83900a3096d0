import { html } from 'lit';
import type { ConversationView } from '../../../../../server/src/wire/chat';
import { priceInWords } from '../../../lib/format';
import { renderMarkdown } from '../../../markdown/render';
import type { ModelView, PersonaView } from '../../../wire/config';
import { avatar, subHeading, type PanelState, type ViewContext } from './shared';

/** Every persona with its greeting; picking one starts a new conversation with it. */
export function renderPersonas(ctx: ViewContext, state: PanelState, pick: (persona: PersonaView) => void) {
  return html`${subHeading(ctx, ctx.t('chooseAssistant'))}
    <ul class="choices">
      ${state.personas.map(
        (persona) => html`<li>
          <button class="choice" aria-pressed=${persona.id === state.persona?.id} @click=${() => pick(persona)}>
            ${avatar(persona)}
            <span><strong>${persona.name}</strong><span class="greeting">${renderMarkdown(persona.greeting)}</span></span>
          </button>
        </li>`,
      )}
    </ul>`;
}

/** Every model with its price in plain words. */
export function renderModels(ctx: ViewContext, state: PanelState, pick: (model: ModelView) => void) {
  return html`${subHeading(ctx, ctx.t('chooseModel'))}
    <ul class="choices">
      ${state.models.map((model) => {
        const price = priceInWords(model.price, ctx.t, ctx.locale);
        return html`<li>
          <button class="choice" aria-pressed=${model.id === state.model?.id} @click=${() => pick(model)}>
            <span><strong>${model.name}</strong><span>${price.summary}</span><small>${price.detail}</small></span>
          </button>
        </li>`;
      })}
    </ul>`;
}

/** The visitor's conversations, newest first, and a way to start a new one. */
export function renderConversations(ctx: ViewContext, list: ConversationView[] | undefined, open: (id: string) => void, startNew: () => void) {
  const { t, locale } = ctx;
  return html`${subHeading(ctx, t('conversations'))}
    <button class="btn primary" @click=${startNew}>${t('newConversation')}</button>
    ${!list
      ? html`<p>${t('loading')}</p>`
      : list.length === 0
        ? html`<p>${t('noConversations')}</p>`
        : html`<ul class="choices">
            ${list.map(
              (c) => html`<li>
                <button class="choice" @click=${() => open(c.id)}>
                  <span><strong>${c.title || t('chat')}</strong><small>${new Date(c.updatedAt).toLocaleString(locale)}</small></span>
                </button>
              </li>`,
            )}
          </ul>`}`;
}
