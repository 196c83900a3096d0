import { z } from 'zod';
import type { AppContext } from '../http/context';
import { defineRoute } from '../http/route';
import { conversationDetailView, conversationListQuery, conversationSummaryView, preferencesPatch, preferencesView } from './conversation-schemas';
import { conversationDetail, listConversations } from './conversations';
import { readPreferences, updatePreferences } from './preferences';

/**
 * Reads the dashboard needs beside the analytics tables: conversations with their messages,
 * usage and charges; and the workspace preferences analytics are counted in (time zone, locale).
 */
export function conversationRoutes({ deps }: AppContext) {
  const db = deps.pool;
  return [
    defineRoute({
      method: 'get', path: '/api/conversations', tag: 'conversations', auth: 'tenant', secretKey: true,
      summary: 'Conversations, newest first, optionally of one visitor, with message counts and credits charged',
      query: conversationListQuery,
      response: z.object({ data: z.array(conversationSummaryView) }),
      handler: async ({ tenant, query }) => ({ data: await listConversations({ db, tenantId: tenant!.tenantId, ...query }) }),
    }),
    defineRoute({
      method: 'get', path: '/api/conversations/:id', tag: 'conversations', auth: 'tenant', secretKey: true,
      summary: 'One conversation with its messages, tokens and charges',
      params: z.object({ id: z.uuid() }),
      response: conversationDetailView,
      handler: ({ tenant, params }) => conversationDetail({ db, tenantId: tenant!.tenantId, id: params.id }),
    }),
    defineRoute({
      method: 'get', path: '/api/workspace/preferences', tag: 'workspace', auth: 'tenant',
      summary: 'Time zone (analytics days and hours) and default widget locale',
      response: preferencesView,
      handler: ({ tenant }) => readPreferences(db, tenant!.tenantId),
    }),
    defineRoute({
      method: 'patch', path: '/api/workspace/preferences', tag: 'workspace', auth: 'tenant',
      summary: 'Change the time zone or default locale',
      body: preferencesPatch, response: preferencesView,
      handler: ({ tenant, body }) => updatePreferences(db, tenant!.tenantId, body),
    }),
  ];
}
