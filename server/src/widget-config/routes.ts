import { z } from 'zod';
import type { AppContext } from '../http/context';
import { notFound } from '../http/errors';
import { defineRoute } from '../http/route';
import { checkPublishableAccess } from './publishable';
import { buildWidgetConfig } from './service';
import { applyChatSettingsPatch, chatSettingsPatch, chatSettingsSchema, readChatSettings, stringsSchema, themeSchema } from './settings';

const priceSchema = z.object({ messageFee: z.number().int(), inputPer1k: z.number().int(), outputPer1k: z.number().int() });

const widgetConfigSchema = z.object({
  tenant: z.object({ name: z.string() }),
  personas: z.array(z.object({ id: z.uuid(), name: z.string(), avatarUrl: z.string().nullable(), greeting: z.string(), modelId: z.uuid() })),
  models: z.array(z.object({ id: z.uuid(), displayName: z.string(), price: priceSchema.describe('Millicredits') })),
  theme: themeSchema,
  strings: stringsSchema,
  lowBalanceThreshold: z.number().int(),
  packs: z.array(z.object({
    id: z.uuid(), name: z.string(), credits: z.number().int(), amountMinor: z.number().int(), currency: z.string(), badge: z.string().nullable(),
  })),
});

export function widgetConfigRoutes({ deps, config }: AppContext) {
  const { models, pool, clock } = deps;
  const ownOrigin = new URL(config.publicUrl).origin;
  return [
    defineRoute({
      method: 'get', path: '/widget/config', tag: 'widget', auth: 'none',
      summary: "The widget's public configuration (publishable key; only from the tenant's allowed origins)",
      query: z.object({ key: z.string().min(1).max(100) }),
      response: widgetConfigSchema,
      handler: async ({ req, res, query }) => {
        const { tenant, origin } = await checkPublishableAccess({
          models, db: pool, cache: deps.tenantCache, clock, key: query.key, origin: req.get('origin'), production: config.production, ownOrigin,
        }).catch((error: unknown) => {
          // Error bodies carry only a code and a message: any page may read them, so a widget
          // embedded where it should not be can at least say why it does not start.
          res.set({ 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin' });
          throw error;
        });
        // CORS for exactly the page that asked (never `*`): the origin was checked just above.
        res.set({
          'Access-Control-Allow-Origin': origin,
          Vary: 'Origin',
          'Cross-Origin-Resource-Policy': 'cross-origin',
          'Cache-Control': 'public, max-age=30',
        });
        return buildWidgetConfig({ db: pool, tenant, cache: deps.tenantCache });
      },
    }),
    defineRoute({
      method: 'get', path: '/api/widget/settings', tag: 'widget', auth: 'tenant',
      summary: "The widget's look, strings, welcome credits and low-balance threshold",
      response: chatSettingsSchema,
      handler: async ({ tenant }) => {
        const row = await models.Tenant.findByPk(tenant!.tenantId);
        if (!row) throw notFound('workspace');
        return readChatSettings(row.settings);
      },
    }),
    defineRoute({
      method: 'patch', path: '/api/widget/settings', tag: 'widget', auth: 'tenant',
      summary: 'Change any of the widget settings (theme and strings are merged key by key)',
      body: chatSettingsPatch, response: chatSettingsSchema,
      handler: async ({ tenant, body }) => {
        const row = await models.Tenant.findByPk(tenant!.tenantId);
        if (!row) throw notFound('workspace');
        const next = applyChatSettingsPatch(readChatSettings(row.settings), body);
        await row.update({ settings: { ...row.settings, chat: next } });
        return next;
      },
    }),
  ];
}
