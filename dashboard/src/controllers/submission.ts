import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { toApiError, type ApiError } from '../lib/api';

/**
 * A form's submit state: `busy` while the request runs (the button disables itself), then the
 * server's refusal split into what belongs next to a field and what goes in the banner above.
 */
export class Submission implements ReactiveController {
  busy = false;
  error: ApiError | undefined;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  // Nothing to do on connect; a controller must have at least one lifecycle method to be one.
  hostConnected(): void {}

  /** Runs the request; a failure is kept in `error` (never thrown), a new run clears it. */
  async run(request: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.error = undefined;
    this.host.requestUpdate();
    try {
      await request();
    } catch (err) {
      this.error = toApiError(err);
    } finally {
      this.busy = false;
      this.host.requestUpdate();
    }
  }

  /** Messages for the form's fields, by field name. */
  get fieldErrors(): Record<string, string> {
    return this.error?.fields ?? {};
  }

  /** The message for the banner: the error when it names no field. */
  get general(): string | undefined {
    return this.error && Object.keys(this.fieldErrors).length === 0 ? this.error.message : undefined;
  }
}
