import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { toApiError, type ApiError } from '../lib/api';

/**
 * Loads something for a component and keeps its state: `value`, `error`, `loading`. It reloads
 * when `key()` changes (a route parameter, a date range), aborts a superseded request, and lets a
 * page change `value` optimistically and put it back when a save fails.
 */
export class Resource<T> implements ReactiveController {
  value: T | undefined;
  error: ApiError | undefined;
  loading = false;
  private key: string | undefined;
  private abort: AbortController | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly options: { key?: () => string | undefined; load: (signal: AbortSignal) => Promise<T> },
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.key = this.options.key?.();
    void this.reload();
  }

  hostUpdate(): void {
    const next = this.options.key?.();
    if (next !== this.key) {
      this.key = next;
      void this.reload();
    }
  }

  hostDisconnected(): void {
    this.abort?.abort();
  }

  /** Fetches again; the previous value stays on screen meanwhile (no flash of empty). */
  async reload(): Promise<void> {
    this.abort?.abort();
    const abort = (this.abort = new AbortController());
    this.loading = true;
    this.error = undefined;
    this.host.requestUpdate();
    try {
      const value = await this.options.load(abort.signal);
      if (abort.signal.aborted) return;
      this.value = value;
    } catch (err) {
      if (abort.signal.aborted) return;
      this.error = toApiError(err);
    } finally {
      if (!abort.signal.aborted) {
        this.loading = false;
        this.host.requestUpdate();
      }
    }
  }

  /** Replaces the value now (an optimistic change, or a server answer). */
  set(value: T): void {
    this.value = value;
    this.host.requestUpdate();
  }
}
