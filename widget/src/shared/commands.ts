/** The `Parley(...)` commands, handled by the loader (`on`, `off`) or forwarded to `<parley-chat>`. */
export type CommandName = 'open' | 'close' | 'toggle' | 'identify' | 'logout' | 'setLocale' | 'on' | 'off';

/** What the loader needs from the upgraded `<parley-chat>` element. */
export interface CommandTarget {
  command(name: CommandName, args: unknown[]): void;
}

/** `window.Parley`: a function, possibly a pre-load stub holding queued calls in `q`. */
export interface ParleyGlobal {
  (name: CommandName, ...args: unknown[]): void;
  q?: ArrayLike<unknown>[];
  loaded?: boolean;
}

/** Short event names for `Parley('on', name, fn)`; each is dispatched on `window` as `parley:<name>`. */
export const eventNames = ['ready', 'message', 'purchase', 'low-balance', 'open', 'close'] as const;
export type ShortEventName = (typeof eventNames)[number];
