import type { PassportInstance } from '../auth/passport';
import type { CsrfSync } from 'csrf-sync';
import type { Config } from '../config';
import type { Deps } from '../deps';
import type { AnyRoute } from './route';

/** What every feature's route factory receives from `createApp`. */
export interface AppContext {
  config: Config;
  deps: Deps;
  passport: PassportInstance;
  csrf: CsrfSync;
  /** The app's whole route table (filled before any request); the OpenAPI route reads it. */
  routes: readonly AnyRoute[];
}

export type RouteFactory = (ctx: AppContext) => AnyRoute[];
