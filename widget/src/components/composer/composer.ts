import { ParleyComposer } from './composer.component';

export { ParleyComposer };

if (!customElements.get('parley-composer')) customElements.define('parley-composer', ParleyComposer);

declare global {
  interface HTMLElementTagNameMap {
    'parley-composer': ParleyComposer;
  }
}
