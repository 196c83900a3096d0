import type { Namespace, Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../wire/chat';

/** Between server processes (through the Socket.IO adapter): a stop may reach any process. */
export interface InterServerEvents {
  'turn:stop': (data: { tenantId: string; visitorId: string; messageId: string }) => void;
}

/** Written only by the handshake middleware. */
export interface SocketData {
  tenantId: string;
  visitorId: string;
  origin: string;
  /** The client address, for per-address limits. */
  ip: string;
  /** Sent back in `session`: the widget keeps it for next time. */
  visitorToken: string;
  identified: boolean;
  /** Welcome credits granted on this connection (a new visitor), else 0. */
  welcomeGranted: number;
  lowBalanceThreshold: number;
}

export type GatewayServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type WidgetNamespace = Namespace<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type WidgetSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** Every open widget of a visitor (tabs, devices, a reconnecting socket) joins this room. */
export const visitorRoom = (visitorId: string): string => `visitor:${visitorId}`;
