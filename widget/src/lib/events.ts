/**
 * Every event the widget dispatches, with its detail type. All go through `emit`, bubbling and
 * composed, so the `parley:*` ones reach `window` from inside the shadow root and the internal
 * `parley-*` ones reach `<parley-chat>` from its children.
 */
export interface ParleyEvents {
  /** The widget has loaded and read the tenant's configuration. */
  'parley:ready': { locale: string };
  'parley:open': Record<string, never>;
  'parley:close': Record<string, never>;
  /** A reply finished. `charged` is in millicredits. */
  'parley:message': { conversationId: string; messageId: string; text: string; status: string; charged: number | null };
  /** A purchase was paid and its credits granted (millicredits). */
  'parley:purchase': { purchaseId: string; credits: number; balance: number | null };
  /** The available balance fell below the tenant's threshold (millicredits). */
  'parley:low-balance': { available: number; threshold: number };
  /** Composer → chat: send this text. */
  'parley-send': { text: string };
  /** Composer → chat: stop the reply in progress. */
  'parley-stop': Record<string, never>;
  /** Message → chat: send a refused or failed message again. */
  'parley-retry': { clientMessageId: string | null };
}

export type ParleyEventName = keyof ParleyEvents;

export function emit<K extends ParleyEventName>(target: EventTarget, name: K, detail: ParleyEvents[K]): void {
  target.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
}

declare global {
  interface WindowEventMap {
    'parley:ready': CustomEvent<ParleyEvents['parley:ready']>;
    'parley:open': CustomEvent<ParleyEvents['parley:open']>;
    'parley:close': CustomEvent<ParleyEvents['parley:close']>;
    'parley:message': CustomEvent<ParleyEvents['parley:message']>;
    'parley:purchase': CustomEvent<ParleyEvents['parley:purchase']>;
    'parley:low-balance': CustomEvent<ParleyEvents['parley:low-balance']>;
  }
}
