/**
 * The dashboard's wire contract: REST response shapes (derived from the routes' own zod schemas,
 * so they cannot drift) and the `/dashboard` Socket.IO namespace's events. The SPA imports this
 * file with `import type` only: nothing here reaches its bundle.
 */
import type { z } from 'zod';
import type { meResponse } from '../auth/schemas';
import type { memberView, workspaceView } from '../tenants/schemas';
import type { createdInvite, invitePreview, inviteView } from '../members/schemas';
import type { funnelView, insufficientView, modelsView, personasView, seriesView, summaryView } from '../analytics/schemas';
import type { conversationDetailView, conversationSummaryView, preferencesView } from '../analytics/conversation-schemas';
import type { personaView, personaInput } from '../personas/schemas';
import type { modelView, createModelBody } from '../models-catalogue/schemas';
import type { packView, createPackBody } from '../packs/schemas';
import type { purchaseView } from '../payments/purchases';
import type { balanceView, statementView } from '../ledger/schemas';
import type { visitorDetailView, visitorSummaryView } from '../visitors/schemas';
import type { chatSettingsSchema } from '../widget-config/settings';
import type { rateLimitsView } from '../tenants/rate-limits';
import type { ProviderConnectionCheck } from '../provider-keys/test-connection';

export type Me = z.infer<typeof meResponse>;
export type Workspace = z.infer<typeof workspaceView>;
export type Member = z.infer<typeof memberView>;
export type Invite = z.infer<typeof inviteView>;
export type CreatedInvite = z.infer<typeof createdInvite>;
export type InvitePreview = z.infer<typeof invitePreview>;
export type Role = Workspace['role'];

/** `GET /api/keys` rows (api-keys/routes.ts keeps its schema private). */
export interface ApiKey {
  id: string;
  kind: 'publishable' | 'secret';
  name: string;
  prefix: string;
  status: 'active' | 'expiring' | 'expired' | 'revoked';
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}
export interface CreatedKey {
  key: ApiKey;
  token: string;
}

export type Summary = z.infer<typeof summaryView>;
export type Series = z.infer<typeof seriesView>;
export type SeriesPoint = Series['data'][number];
export type ModelUsage = z.infer<typeof modelsView>;
export type PersonaUsage = z.infer<typeof personasView>;
export type Funnel = z.infer<typeof funnelView>;
export type InsufficientCredits = z.infer<typeof insufficientView>;
export type Granularity = Series['granularity'];
export type ConversationSummary = z.infer<typeof conversationSummaryView>;
export type ConversationDetail = z.infer<typeof conversationDetailView>;
export type Preferences = z.infer<typeof preferencesView>;

export type Persona = z.infer<typeof personaView>;
export type PersonaInput = z.input<typeof personaInput>;
export type CatalogueModel = z.infer<typeof modelView>;
export type CatalogueModelInput = z.input<typeof createModelBody>;
export type Pack = z.infer<typeof packView>;
export type PackInput = z.input<typeof createPackBody>;
export type Purchase = z.infer<typeof purchaseView>;
export type Balance = z.infer<typeof balanceView>;
export type Statement = z.infer<typeof statementView>;
export type VisitorSummary = z.infer<typeof visitorSummaryView>;
export type VisitorDetail = z.infer<typeof visitorDetailView>;
export type WidgetSettings = z.infer<typeof chatSettingsSchema>;
/** `GET/PATCH /api/workspace/rate-limits`. */
export type RateLimits = z.infer<typeof rateLimitsView>;
/** `POST /api/provider-keys/:provider/test`. */
export type ProviderTest = ProviderConnectionCheck;

/** `GET /api/payments/stripe`. */
export interface StripeAccount {
  configured: boolean;
  mode: 'test' | 'live' | null;
  secretKeyHint: string | null;
  webhookSecretHint: string | null;
  webhookUrl: string;
  updatedAt: string | null;
}
/** `GET /api/provider-keys` rows. */
export interface ProviderKey {
  provider: 'openai' | 'anthropic';
  hint: string;
  baseUrl: string | null;
  updatedAt: string;
}

/** The error body every route answers with. */
export interface ErrorBody {
  error: { code: string; message: string; details?: { fields?: Array<{ in: string; path: string; message: string }> } & Record<string, unknown> };
}

/** Socket.IO namespace for the dashboard: tenant-scoped, authenticated by the session cookie. */
export const dashboardNamespace = '/dashboard';

export interface LiveConversation {
  id: string;
  visitorId: string;
  personaId: string | null;
  title: string;
  createdAt: string;
}

export interface LivePurchase {
  id: string;
  visitorId: string;
  status: Purchase['status'];
  packName: string;
  credits: number;
  amountMinor: number;
  currency: string;
  paidAt: string | null;
}

export interface DashboardServerToClient {
  /** A visitor started a conversation in this workspace. */
  'conversation:new': (data: LiveConversation) => void;
  /** A purchase was created or changed status (paid, refunded...). */
  'purchase:update': (data: LivePurchase) => void;
}

/** The dashboard only listens. */
export type DashboardClientToServer = Record<string, never>;
