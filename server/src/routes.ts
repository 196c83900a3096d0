import type { AppContext } from './http/context';
import type { AnyRoute } from './http/route';
import { opsRoutes } from './ops/routes';
import { authRoutes } from './auth/routes';
import { tenantRoutes } from './tenants/routes';
import { apiKeyRoutes } from './api-keys/routes';
import { memberRoutes } from './members/routes';
import { analyticsRoutes } from './analytics/routes';
import { conversationRoutes } from './analytics/conversation-routes';
import { ledgerRoutes } from './ledger/routes';
import { visitorRoutes } from './visitors/routes';
import { catalogueRoutes } from './models-catalogue/routes';
import { personaRoutes } from './personas/routes';
import { providerKeyRoutes } from './provider-keys/routes';
import { widgetConfigRoutes } from './widget-config/routes';
import { packRoutes } from './packs/routes';
import { paymentRoutes } from './payments/routes';
import { widgetAssetRoutes } from './widget-assets/routes';
import { identityRoutes } from './identity/routes';

const widgetRoutes = ({ config, deps }: AppContext) => widgetAssetRoutes({ config, deps });

/** Every feature's routes; a feature adds its factory here and nowhere else. */
export function allRoutes(ctx: AppContext): AnyRoute[] {
  return [opsRoutes, authRoutes, tenantRoutes, apiKeyRoutes, memberRoutes, analyticsRoutes, conversationRoutes, ledgerRoutes, visitorRoutes, catalogueRoutes, packRoutes, paymentRoutes, personaRoutes, providerKeyRoutes, widgetConfigRoutes, identityRoutes, widgetRoutes].flatMap((factory) => factory(ctx));
}
