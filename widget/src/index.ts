/**
 * Side-effect-free entry: the element classes and types, for apps that bundle Parley themselves
 * and register the elements under their own control. `register.ts` is the entry that defines them.
 */
export { ParleyChat } from './components/chat/chat.component';
export { ParleyComposer } from './components/composer/composer.component';
export { ParleyMessage } from './components/message/message.component';
export type { ParleyEvents, ParleyEventName } from './lib/events';
export type { WidgetConfig } from './wire/config';
