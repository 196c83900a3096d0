import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { WireError } from '../../../server/src/wire/chat';
import { readConfig } from '../lib/config';
import type { WidgetConfig } from '../wire/config';

/**
 * Fetches the tenant's public configuration once, retrying with backoff while the network is down.
 * A refusal by the server (wrong key, page not on the tenant's allowed origins) is final.
 */
export class ConfigController implements ReactiveController {
  config?: WidgetConfig;
  error?: WireError;
  private started = false;
  private attempt = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly source: () => { api: string; key: string },
    private readonly onLoad: (config: WidgetConfig) => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    if (!this.started) void this.load();
  }

  private async load(): Promise<void> {
    const { api, key } = this.source();
    if (!api || !key) return;
    this.started = true;
    try {
      const url = new URL('widget/config', api);
      url.searchParams.set('key', key);
      const response = await fetch(url, { credentials: 'omit', headers: { accept: 'application/json' } });
      const body: unknown = await response.json().catch(() => ({}));
      if (response.ok) {
        this.config = readConfig(body);
        this.onLoad(this.config);
      } else if (response.status >= 500 || response.status === 429) {
        this.retry();
      } else {
        const error = (body as { error?: WireError }).error;
        this.error = { code: error?.code ?? 'invalid_key', message: error?.message ?? response.statusText };
      }
    } catch {
      this.retry();
    }
    this.host.requestUpdate();
  }

  private retry(): void {
    const delay = Math.min(30_000, 1000 * 2 ** this.attempt++);
    setTimeout(() => void this.load(), delay * (0.5 + Math.random() / 2));
  }
}
