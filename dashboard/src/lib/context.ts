import type { Me, Role } from '../../../server/src/wire/dashboard';
import type { Api } from './api';
import type { LiveClient } from '../controllers/live';

/**
 * What every page receives from the app shell as its `ctx` property: the API client, who is
 * signed in, the current workspace and what the role allows. A new object on every change, so
 * pages re-render when the workspace switches.
 */
export interface DashboardContext {
  api: Api;
  me: Me;
  workspace: { id: string; name: string; role: Role };
  /** Admins and owners change things; analysts see everything and change nothing. */
  canWrite: boolean;
  isOwner: boolean;
  live: LiveClient;
}

export const readOnlyNote = 'You have the analyst role: you can see everything here but not change it.';
