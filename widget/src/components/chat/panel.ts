import { html, nothing } from 'lit';
import type { ConversationView, PackView, WireError } from '../../../../server/src/wire/chat';
import type { ChatMessage } from '../../chat/messages';
import type { ConversationController } from '../../controllers/conversation';
import type { GatewayController } from '../../controllers/gateway';
import type { NoticeController } from '../../controllers/notices';
import type { PurchaseController } from '../../controllers/purchase';
import { renderHeader } from './views/header';
import { renderConnection, renderLowBalance, renderNotice } from './views/notices';
import { renderConversations, renderModels, renderPersonas } from './views/pickers';
import type { PanelState, View, ViewContext } from './views/shared';
import { renderHistory, renderShop } from './views/shop';

export interface PanelActions {
  close: () => void;
  keydown: (event: KeyboardEvent) => void;
  send: (text: string) => void;
  stop: () => void;
  retry: (message?: ChatMessage) => void;
  buy: (pack: PackView) => void;
  pickPersona: (id: string) => void;
  pickModel: (id: string) => void;
  openConversation: (id: string) => void;
  startNew: () => void;
}

export interface PanelProps {
  ctx: ViewContext;
  state: PanelState;
  mode: string;
  /** The dialog's accessible name: the tenant's title, else the persona's name. */
  title: string;
  view: View;
  fatal?: WireError;
  ready: boolean;
  gateway: GatewayController;
  conversation: ConversationController;
  purchases: PurchaseController;
  notices: NoticeController;
  outOfCredits: boolean;
  conversations?: ConversationView[];
  actions: PanelActions;
}

/** The open panel: header, connection bar, the current view, and the composer under the chat. */
export function renderPanel(p: PanelProps) {
  const { ctx, actions } = p;
  const chat = p.view === 'chat' && !p.fatal && p.ready;
  const rateLimited = p.notices.rateLimited;
  return html`<section class="panel ${p.mode}" part="panel" role="dialog" aria-label=${p.title} @keydown=${actions.keydown}>
    ${renderHeader(ctx, p.state, actions.close)}
    ${renderConnection(ctx, p.gateway.browserOnline, p.gateway.status === 'reconnecting')}
    <div class="body" part="body">
      ${p.fatal
        ? renderNotice(ctx, p.fatal, [], 0, 0, { buy: actions.buy, retry: actions.retry, dismiss: actions.close })
        : !p.ready
          ? html`<p>${ctx.t('loading')}</p>`
          : renderView(p)}
    </div>
    ${chat
      ? html`<parley-composer
          part="composer"
          exportparts="input, send, stop"
          .t=${ctx.t}
          .placeholder=${ctx.t(p.outOfCredits ? 'placeholderEmpty' : 'placeholder')}
          ?disabled=${p.outOfCredits || rateLimited || !p.state.persona}
          ?streaming=${!!p.conversation.streaming}
          @parley-send=${(e: CustomEvent<{ text: string }>) => actions.send(e.detail.text)}
          @parley-stop=${actions.stop}
        ></parley-composer>`
      : nothing}
  </section>`;
}

function renderView(p: PanelProps) {
  const { ctx, state, actions } = p;
  switch (p.view) {
    case 'personas':
      return renderPersonas(ctx, state, (persona) => actions.pickPersona(persona.id));
    case 'models':
      return renderModels(ctx, state, (model) => actions.pickModel(model.id));
    case 'shop':
      return renderShop(ctx, state, p.purchases.state, { buy: actions.buy, reset: () => p.purchases.reset(), history: () => ctx.go('history') });
    case 'history':
      return renderHistory(ctx, p.purchases.history);
    case 'conversations':
      return renderConversations(ctx, p.conversations, actions.openConversation, actions.startNew);
    default:
      return renderChat(p);
  }
}

function renderChat(p: PanelProps) {
  const { ctx, state, actions } = p;
  const persona = state.persona;
  const { notices } = p;
  const packs = (notices.notice?.details?.packs as PackView[] | undefined) ?? state.packs;
  const notice = notices.notice ?? (p.outOfCredits ? { code: 'insufficient_credits' as const, message: '' } : undefined);
  return html`${persona?.greeting
      ? html`<parley-message class="greeting" exportparts="message, user, assistant, code" from="assistant" .text=${persona.greeting} .name=${persona.name} .t=${ctx.t}></parley-message>`
      : nothing}
    ${p.conversation.messages.map(
      (m) => html`<parley-message
        exportparts="message, user, assistant, code"
        from=${m.role}
        .text=${m.text}
        .status=${m.status}
        .charged=${m.charged}
        .name=${persona?.name ?? ''}
        .locale=${ctx.locale}
        .t=${ctx.t}
        @parley-retry=${() => actions.retry(m)}
      ></parley-message>`,
    )}
    ${notice
      ? renderNotice(ctx, notice, packs, notices.rateLimitUntil, notices.now, { buy: actions.buy, retry: () => actions.retry(), dismiss: () => notices.dismiss() })
      : notices.lowPrompt
        ? renderLowBalance(ctx, () => notices.dismissLow())
        : nothing}`;
}
