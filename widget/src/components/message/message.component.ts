import { html, LitElement, nothing, type TemplateResult } from 'lit';
import { property } from 'lit/decorators.js';
import type { LocalStatus } from '../../chat/messages';
import type { Translate } from '../../i18n';
import { emit } from '../../lib/events';
import { credits } from '../../lib/format';
import { renderMarkdown } from '../../markdown/render';
import { messageStyles } from './message.styles';

/**
 * One chat message. A visitor's text is shown verbatim; a reply is rendered from Markdown as DOM
 * text (see `markdown/`), so nothing in it can run.
 *
 * @event parley-retry - the visitor asked to send this message again
 * @csspart message - the bubble; also `user` or `assistant`
 * @csspart code - a code block in a reply
 */
export class ParleyMessage extends LitElement {
  static override styles = messageStyles;

  /** Who wrote it: `user` or `assistant` (not `role`, which is an ARIA attribute). */
  @property({ reflect: true }) from: 'user' | 'assistant' = 'assistant';
  /** The text, or Markdown for a reply. */
  @property() text = '';
  /** Delivery or reply status. */
  @property() status: LocalStatus = 'done';
  /** What the reply cost, in millicredits. */
  @property({ type: Number }) charged: number | null = null;
  /** The author's name for screen readers (the persona's name for replies). */
  @property() name = '';
  /** Language for numbers. */
  @property() locale = 'en';
  /** The string table of the current language. */
  @property({ attribute: false }) t!: Translate;

  private cache?: { text: string; html: TemplateResult[] };

  override render() {
    const { t, from, status } = this;
    const bad = status === 'unsent' || status === 'failed';
    // No whitespace around the text: a visitor's message keeps its own line breaks (pre-wrap).
    const body = from === 'user' ? html`<span class="plain">${this.text}</span>` : this.markdown();
    const typing = status === 'streaming' && !this.text;
    // A reply that failed before its first word has only its status line.
    if (!this.text && !typing) return this.meta(bad);
    return html`<div class="bubble" part="message ${from}"><span class="sr">${from === 'user' ? t('you') : this.name}: </span>${body}${typing
          ? html`<span class="dots" aria-hidden="true"><span></span><span></span><span></span></span>`
          : nothing}</div>
      ${this.meta(bad)}`;
  }

  private markdown(): TemplateResult[] {
    if (this.cache?.text !== this.text) this.cache = { text: this.text, html: renderMarkdown(this.text) };
    return this.cache.html;
  }

  private meta(bad: boolean) {
    const { t, status } = this;
    const note =
      status === 'pending' ? t('sending')
      : status === 'unsent' ? t('notSent')
      : status === 'failed' ? t('failed')
      : status === 'stopped' ? t('stopped')
      : status === 'interrupted' ? t('interrupted')
      : '';
    const cost = this.charged ? t('charged', { n: credits(this.charged, this.locale) }) : '';
    if (!note && !cost) return nothing;
    return html`<div class=${bad ? 'meta bad' : 'meta'}>
      ${note ? html`<span>${note}</span>` : nothing}${cost ? html`<span>${cost}</span>` : nothing}
      ${bad ? html`<button @click=${() => emit(this, 'parley-retry', { clientMessageId: null })}>${t('retry')}</button>` : nothing}
    </div>`;
  }
}
