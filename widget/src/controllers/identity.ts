import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { IdentifyPayload } from '../../../server/src/wire/chat';
import { save } from '../shared/storage';
import { GatewayError, type GatewayController } from './gateway';

/**
 * `Parley('identify', { userId, name, email, signature })`: the site vouches for its logged-in user
 * (the signature is made on the site's server with its secret key), and the server moves this
 * visitor's balance and history onto that user. Called before a connection exists, it waits for one.
 */
export class IdentityController implements ReactiveController {
  private pending?: IdentifyPayload;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly gateway: GatewayController,
    private readonly key: () => string,
    private readonly onIdentified: () => void,
  ) {
    host.addController(this);
    gateway.onSession(() => void this.flush());
  }

  hostConnected(): void {}

  identify(payload: unknown): void {
    if (!isIdentifyPayload(payload)) {
      console.error('[parley] identify needs { userId, signature } (signature: hex HMAC-SHA256 of userId with your identity secret).');
      return;
    }
    this.pending = payload;
    this.gateway.connect();
    if (this.gateway.connected) void this.flush();
  }

  private async flush(): Promise<void> {
    const payload = this.pending;
    if (!payload) return;
    try {
      const result = await this.gateway.request('identify', payload);
      if (this.pending !== payload) return;
      this.pending = undefined;
      save(this.key(), 'token', result.visitorToken);
      this.gateway.balance = result.balance;
      this.gateway.identified = true;
      // The open socket is still the anonymous visitor; the next one, made with the new token, is the user.
      this.gateway.reconnect();
      this.onIdentified();
    } catch (err) {
      if (err instanceof GatewayError && (err.wire.code === 'offline' || err.wire.code === 'timeout')) return; // retried on the next session
      this.pending = undefined;
      console.error(`[parley] identify was refused: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.host.requestUpdate();
  }
}

function isIdentifyPayload(value: unknown): value is IdentifyPayload {
  const v = value as Partial<IdentifyPayload> | null;
  return typeof v?.userId === 'string' && typeof v.signature === 'string';
}
