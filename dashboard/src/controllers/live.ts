import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { io, type Socket } from 'socket.io-client';
import type { DashboardClientToServer, DashboardServerToClient } from '../../../server/src/wire/dashboard';

type Events = DashboardServerToClient;
type Listener<E extends keyof Events> = Events[E];

/**
 * The workspace's live feed: one Socket.IO connection to the `/dashboard` namespace per signed-in
 * workspace (the session cookie authenticates it). Pages subscribe through `LiveController`.
 */
const liveEvents = ['conversation:new', 'purchase:update'] as const satisfies ReadonlyArray<keyof Events>;

export class LiveClient {
  private socket: Socket<Events, DashboardClientToServer> | undefined;
  /** Kept here, not on the socket, so subscriptions survive a reconnect to another workspace. */
  private readonly listeners = new Map<keyof Events, Set<(data: never) => void>>();
  /** Connection state, for the shell's "live" indicator. */
  connected = false;
  onState: (connected: boolean) => void = () => undefined;

  connect(): void {
    this.disconnect();
    const socket: Socket<Events, DashboardClientToServer> = io('/dashboard', { path: '/socket.io', withCredentials: true, transports: ['websocket', 'polling'] });
    socket.on('connect', () => this.setState(true));
    socket.on('disconnect', () => this.setState(false));
    socket.on('connect_error', () => this.setState(false));
    for (const event of liveEvents) {
      const dispatch = (data: never) => this.listeners.get(event)?.forEach((listener) => listener(data));
      (socket.on as (e: string, l: (data: never) => void) => void)(event, dispatch);
    }
    this.socket = socket;
  }

  disconnect(): void {
    this.socket?.disconnect();
    this.socket = undefined;
    this.setState(false);
  }

  on<E extends keyof Events>(event: E, listener: Listener<E>): () => void {
    const set = this.listeners.get(event) ?? new Set();
    this.listeners.set(event, set);
    const entry = listener as (data: never) => void;
    set.add(entry);
    return () => set.delete(entry);
  }

  private setState(connected: boolean): void {
    this.connected = connected;
    this.onState(connected);
  }
}

/** Subscribes a component to live events while it is on the page. */
export class LiveController<E extends keyof Events> implements ReactiveController {
  private off: (() => void) | undefined;

  constructor(
    host: ReactiveControllerHost,
    private readonly client: () => LiveClient | undefined,
    private readonly event: E,
    private readonly listener: Listener<E>,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.off = this.client()?.on(this.event, this.listener);
  }

  hostDisconnected(): void {
    this.off?.();
    this.off = undefined;
  }
}
