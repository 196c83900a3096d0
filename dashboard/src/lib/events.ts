/**
 * Every event the dashboard's components dispatch goes through `emit`: bubbling and composed, so
 * it crosses shadow roots up to the app shell, and typed by this map.
 */
export interface DashboardEvents {
  /** Show a message in the toaster. */
  'parley-toast': { kind: 'success' | 'error' | 'info'; message: string };
  /** Go to another page of the app (path under /dashboard). */
  'parley-navigate': { path: string };
  /** The session changed (logged in, switched workspace, accepted an invite): reload who we are. */
  'parley-session': { csrfToken?: string };
}

export function emit<K extends keyof DashboardEvents>(from: EventTarget, type: K, detail: DashboardEvents[K]): void {
  from.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
}

export const toast = (from: EventTarget, kind: DashboardEvents['parley-toast']['kind'], message: string): void =>
  emit(from, 'parley-toast', { kind, message });

declare global {
  interface HTMLElementEventMap {
    'parley-toast': CustomEvent<DashboardEvents['parley-toast']>;
    'parley-navigate': CustomEvent<DashboardEvents['parley-navigate']>;
    'parley-session': CustomEvent<DashboardEvents['parley-session']>;
  }
}
