import { html, LitElement } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import type { Translate } from '../../i18n';
import { emit } from '../../lib/events';
import { composerStyles } from './composer.styles';

const sendIcon = 'M3.4 20.4 21 12 3.4 3.6 3.4 10l12.6 2-12.6 2z';
const stopIcon = 'M6 6h12v12H6z';

/**
 * The message field: grows with its text, Enter sends, Shift+Enter starts a new line, and the
 * character count stays visible. While a reply streams, the send button becomes a stop button.
 *
 * @event parley-send - the visitor sent `detail.text`
 * @event parley-stop - the visitor asked to stop the reply
 * @csspart input - the text field
 * @csspart send - the send button
 * @csspart stop - the stop button
 */
export class ParleyComposer extends LitElement {
  static override styles = composerStyles;

  /** No typing or sending (out of credits, rate limited, or chat unavailable). */
  @property({ type: Boolean }) disabled = false;
  /** A reply is streaming: show the stop button instead of send. */
  @property({ type: Boolean }) streaming = false;
  /** Placeholder text of the field. */
  @property() placeholder = '';
  /** The longest message the server accepts, in characters. */
  @property({ type: Number }) max = 4000;
  /** The string table of the current language. */
  @property({ attribute: false }) t!: Translate;

  @state() private length = 0;
  @query('textarea') private field!: HTMLTextAreaElement;

  /** Focuses the text field (once rendered: the panel may have just opened). */
  override focus(): void {
    void this.updateComplete.then(() => this.field?.focus());
  }

  override render() {
    const t = this.t;
    const counter = { n: this.length, max: this.max };
    return html`<form @submit=${this.submit}>
      <textarea
        part="input"
        rows="1"
        maxlength=${this.max}
        .placeholder=${this.placeholder}
        aria-label=${t('message')}
        aria-describedby="count"
        ?disabled=${this.disabled}
        @input=${this.onInput}
        @keydown=${this.onKeydown}
      ></textarea>
      ${this.streaming
        ? html`<button type="button" part="stop" aria-label=${t('stop')} @click=${this.stop}>${icon(stopIcon)}</button>`
        : html`<button part="send" aria-label=${t('send')} ?disabled=${this.disabled || this.length === 0}>${icon(sendIcon)}</button>`}
      <div id="count" class=${this.length > this.max * 0.9 ? 'count near' : 'count'} aria-label=${t('charsLabel', counter)}>
        ${this.length ? t('chars', counter) : ''}
      </div>
    </form>`;
  }

  private stop(): void {
    emit(this, 'parley-stop', {});
    // The stop button is about to become the send button: keep the keyboard in the field.
    this.field.focus();
  }

  private onInput(): void {
    const field = this.field;
    this.length = field.value.length;
    // CSSOM writes are allowed under a strict style-src (only style attributes and elements are not).
    field.style.height = 'auto';
    field.style.height = `${Math.min(field.scrollHeight + 2, 160)}px`;
  }

  private onKeydown(event: KeyboardEvent): void {
    // isComposing: Enter that confirms an IME candidate (Japanese, Chinese…) must not send.
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      this.submit();
    }
  }

  private submit(event?: Event): void {
    event?.preventDefault();
    const text = this.field.value.trim();
    if (!text || this.disabled || this.streaming) return;
    emit(this, 'parley-send', { text });
    this.field.value = '';
    this.onInput();
  }
}

const icon = (d: string) => html`<svg viewBox="0 0 24 24" aria-hidden="true"><path d=${d}></path></svg>`;
