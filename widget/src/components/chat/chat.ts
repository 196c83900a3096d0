import { ParleyChat } from './chat.component';

export { ParleyChat };

if (!customElements.get('parley-chat')) customElements.define('parley-chat', ParleyChat);

declare global {
  interface HTMLElementTagNameMap {
    'parley-chat': ParleyChat;
  }
}
