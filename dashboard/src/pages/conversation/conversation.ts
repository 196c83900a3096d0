import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { ConversationDetail } from '../../../../server/src/wire/dashboard';
import { Resource } from '../../controllers/resource';
import type { DashboardContext } from '../../lib/context';
import { credits, dateTime } from '../../lib/format';
import { loaded, pageHeader } from '../../lib/page';
// The widget's own Markdown renderer (DOM text only, no HTML parsed): replies look as the visitor saw them.
import { renderMarkdown } from '../../../../widget/src/markdown/render';
import { sharedStyles } from '../../styles/shared';

/** A conversation as the visitor had it, with each reply's model, tokens and charge. */
@customElement('parley-conversation-page')
export class ParleyConversationPage extends LitElement {
  static override styles = [sharedStyles, css`
    ol.messages { list-style: none; padding: 0; display: grid; gap: 10px; }
    .messages > li { border: 1px solid var(--parley-border); border-radius: var(--parley-radius); padding: 10px 14px; background: var(--parley-surface); max-width: 820px; }
    .messages > li.user { background: var(--parley-accent-soft); margin-left: auto; }
    .text { white-space: pre-wrap; overflow-wrap: anywhere; }
    .md { overflow-wrap: anywhere; }
    .md > :last-child { margin-bottom: 0; }
    .md ul, .md ol { margin: 0 0 12px; padding-left: 1.4em; }
    .md pre { background: var(--parley-bg); padding: 8px 10px; border-radius: 6px; overflow-x: auto; }
    .md code { font-family: var(--parley-mono); font-size: 0.9em; }
    .md blockquote { margin: 0 0 12px; padding-left: 10px; border-left: 3px solid var(--parley-border); color: var(--parley-muted); }
    .meta { color: var(--parley-muted); font-size: 0.85rem; margin-top: 4px; }
  `];

  /** The signed-in workspace. */
  @property({ attribute: false }) ctx!: DashboardContext;
  /** Which conversation, from the address. */
  @property() conversationId = '';

  private readonly conversation = new Resource<ConversationDetail>(this, {
    key: () => `${this.ctx.workspace.id}|${this.conversationId}`,
    load: (s) => this.ctx.api.get(`/api/conversations/${this.conversationId}`, s),
  });

  override render() {
    const c = this.conversation.value?.conversation;
    return html`${c ? html`<p><a href="/dashboard/visitors/${c.visitorId}">← Visitor</a></p>` : nothing}
      ${pageHeader(this.ctx, c?.title || 'Conversation', c ? `${c.personaName ?? 'Deleted persona'} · ${dateTime(c.createdAt)} · ${c.messages} messages · ${credits(c.creditsCharged)} credits charged` : '')}
      ${loaded(this.conversation, 'the conversation', ({ messages }) => html`<ol class="messages">${messages.map((m) => html`<li class=${m.role}>
        ${m.role === 'assistant' && m.text ? html`<div class="md">${renderMarkdown(m.text)}</div>` : html`<div class="text">${m.text || (m.errorCode ? html`<em>(no reply: ${m.errorCode.replace(/_/g, ' ')})</em>` : html`<em>(empty)</em>`)}</div>`}
        <div class="meta">${m.role === 'user' ? 'Visitor' : m.modelName ?? 'Assistant'} · ${dateTime(m.createdAt)}
          ${m.role === 'assistant' ? html` · ${m.status}${m.inputTokens !== null ? ` · ${m.inputTokens} in / ${m.outputTokens ?? 0} out tokens` : ''} · charged ${m.charged === null ? '–' : `${credits(m.charged)} credits`}` : nothing}</div>
      </li>`)}</ol>`)}`;
  }
}
