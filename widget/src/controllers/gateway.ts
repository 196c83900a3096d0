import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { io, type Socket } from 'socket.io-client';
import type { Ack, BalanceView, ClientToServerEvents, ServerToClientEvents, WireError } from '../../../server/src/wire/chat';
import { load, save, visitorItems } from '../shared/storage';

type WidgetSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type EventName = keyof ClientToServerEvents;
export type PayloadOf<E extends EventName> = Parameters<ClientToServerEvents[E]>[0];
export type ReplyOf<E extends EventName> = Parameters<ClientToServerEvents[E]>[1] extends Ack<infer T> ? T : never;
type Session = Parameters<ServerToClientEvents['session']>[0];
type ServerEvent = keyof ServerToClientEvents;

/** socket.io's typed overloads do not compose with a generic event; this is the call we make. */
interface TimedEmitter {
  timeout(ms: number): { emit(event: string, payload: unknown, ack: (err: Error | null, response: AckResponse) => void): void };
}
type AckResponse = { ok: true } | { ok: false; error: WireError };

/** A failed request: the server's error, or `offline` / `timeout` made up here. */
export class GatewayError extends Error {
  constructor(readonly wire: WireError | { code: 'offline' | 'timeout'; message: string; details?: undefined }) {
    super(wire.message);
  }
}

export type ConnectionStatus = 'idle' | 'connecting' | 'online' | 'reconnecting' | 'fatal';
const fatalCodes = new Set(['origin_not_allowed', 'invalid_key', 'visitor_blocked']);

export interface GatewayOptions {
  key: () => string;
  api: () => string;
  locale: () => string;
}

/**
 * The realtime connection: one Socket.IO socket to the `/widget` namespace, with the visitor token
 * kept in localStorage, reconnection with jittered backoff, and a fast retry when the page comes
 * back (iOS freezes background tabs and their sockets). Other controllers subscribe to its events.
 */
export class GatewayController implements ReactiveController {
  status: ConnectionStatus = 'idle';
  browserOnline = navigator.onLine;
  fatal?: WireError;
  balance?: BalanceView;
  identified = false;
  private socket?: WidgetSocket;
  private readonly handlers: Array<[ServerEvent, (data: never) => void]> = [];
  private readonly sessionHandlers: Array<(session: Session) => void> = [];
  private closeTimer?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly options: GatewayOptions,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    clearTimeout(this.closeTimer);
    addEventListener('online', this.wake);
    addEventListener('offline', this.wake);
    addEventListener('pageshow', this.wake);
    document.addEventListener('visibilitychange', this.wake);
  }

  hostDisconnected(): void {
    removeEventListener('online', this.wake);
    removeEventListener('offline', this.wake);
    removeEventListener('pageshow', this.wake);
    document.removeEventListener('visibilitychange', this.wake);
    // A router may detach and re-attach the widget; only a lasting removal closes the socket.
    this.closeTimer = setTimeout(() => this.close(), 3000);
  }

  /** Subscribes to a server event (kept across reconnects and `reset`). */
  on<E extends ServerEvent>(event: E, handler: ServerToClientEvents[E]): void {
    this.handlers.push([event, handler as (data: never) => void]);
    this.socket?.on(event, handler as never);
  }

  onSession(handler: (session: Session) => void): void {
    this.sessionHandlers.push(handler);
  }

  connect(): void {
    if (this.socket || this.status === 'fatal') return;
    const api = new URL(this.options.api());
    const socket: WidgetSocket = io(`${api.origin}/widget`, {
      path: `${api.pathname}socket.io`,
      auth: (cb) => cb({ key: this.options.key(), visitorToken: load(this.options.key(), 'token') ?? undefined, locale: this.options.locale() }),
      reconnectionDelay: 500,
      reconnectionDelayMax: 10_000,
      randomizationFactor: 0.5,
    });
    this.socket = socket;
    this.setStatus('connecting');
    for (const [event, handler] of this.handlers) socket.on(event, handler as never);
    socket.on('session', (session) => {
      save(this.options.key(), 'token', session.visitorToken);
      this.balance = session.balance;
      this.identified = session.identified;
      this.setStatus('online');
      for (const handler of this.sessionHandlers) handler(session);
    });
    socket.on('balance', (balance) => {
      this.balance = balance;
      this.host.requestUpdate();
    });
    socket.on('disconnect', () => this.setStatus('reconnecting'));
    socket.on('connect_error', (err: Error & { data?: WireError }) => {
      const wire = err.data;
      if (wire && fatalCodes.has(wire.code)) {
        this.fatal = wire;
        this.setStatus('fatal');
        this.close();
      } else {
        this.setStatus('reconnecting');
        // A refusal by the server (not a network failure) stops Socket.IO's own retries.
        if (!socket.active) setTimeout(() => socket.connect(), 2000 + Math.random() * 3000);
      }
    });
  }

  /** Sends a request and resolves with the ack's data, or rejects with a `GatewayError`. */
  request<E extends EventName>(event: E, payload: PayloadOf<E>, timeoutMs = 15_000): Promise<ReplyOf<E>> {
    const socket = this.socket;
    if (!socket?.connected) return Promise.reject(new GatewayError({ code: 'offline', message: 'Not connected' }));
    return new Promise((resolve, reject) => {
      (socket as unknown as TimedEmitter).timeout(timeoutMs).emit(event, payload, (err, response) => {
        if (err) reject(new GatewayError({ code: 'timeout', message: 'No answer from the server' }));
        else if (response.ok) resolve(response as ReplyOf<E>);
        else reject(new GatewayError(response.error));
      });
    });
  }

  get connected(): boolean {
    return this.status === 'online';
  }

  /** Connects again with the stored token (after identify, which hands out a new one). */
  reconnect(): void {
    this.socket?.disconnect().connect();
  }

  /** Forgets the visitor and starts over as a new anonymous one (logout). */
  reset(): void {
    for (const item of visitorItems) save(this.options.key(), item, null);
    this.balance = undefined;
    this.identified = false;
    const wasConnected = !!this.socket;
    this.close();
    if (wasConnected) this.connect();
  }

  private close(): void {
    this.socket?.disconnect();
    this.socket = undefined;
    if (this.status !== 'fatal') this.setStatus('idle');
  }

  private readonly wake = (): void => {
    this.browserOnline = navigator.onLine;
    this.host.requestUpdate();
    // Skip the backoff wait when the network or the page comes back: reconnect now.
    if (this.socket && !this.socket.connected && navigator.onLine && document.visibilityState === 'visible') {
      this.socket.disconnect().connect();
    }
  };

  private setStatus(status: ConnectionStatus): void {
    this.status = status;
    this.host.requestUpdate();
  }
}
