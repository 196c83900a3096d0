import { z } from 'zod';
import { timeZoneSchema } from './range';

/** The dashboard's read-only view of conversations: who, which persona, what it cost. */
export const conversationSummaryView = z.object({
  id: z.uuid(),
  visitorId: z.uuid(),
  personaId: z.uuid().nullable(),
  personaName: z.string().nullable(),
  title: z.string(),
  messages: z.number().int(),
  creditsCharged: z.number().int().describe('Millicredits charged for its replies'),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

export const conversationMessageView = z.object({
  id: z.uuid(),
  role: z.enum(['user', 'assistant']),
  text: z.string(),
  status: z.enum(['streaming', 'done', 'stopped', 'failed', 'interrupted']),
  modelId: z.uuid().nullable(),
  modelName: z.string().nullable(),
  inputTokens: z.number().int().nullable(),
  outputTokens: z.number().int().nullable(),
  charged: z.number().int().nullable().describe('Millicredits; null until the reply ends'),
  errorCode: z.string().nullable(),
  createdAt: z.iso.datetime(),
});

export const conversationDetailView = z.object({
  conversation: conversationSummaryView,
  messages: z.array(conversationMessageView),
});

export const conversationListQuery = z.object({
  visitorId: z.uuid().optional(),
  before: z.iso.datetime().optional().describe('The createdAt of the last conversation of the previous page'),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});

/** Locales the widget ships strings for. */
export const locales = ['en', 'de', 'es', 'fr'] as const;

export const preferencesView = z.object({
  timeZone: z.string().describe('IANA zone analytics days and hours are counted in'),
  defaultLocale: z.enum(locales).describe("The widget's language when the visitor's browser asks for none it has"),
});

export const preferencesPatch = z
  .object({ timeZone: timeZoneSchema, defaultLocale: z.enum(locales) })
  .partial()
  .strict();
