import { ParleyMessage } from './message.component';

export { ParleyMessage };

if (!customElements.get('parley-message')) customElements.define('parley-message', ParleyMessage);

declare global {
  interface HTMLElementTagNameMap {
    'parley-message': ParleyMessage;
  }
}
