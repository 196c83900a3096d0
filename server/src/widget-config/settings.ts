import { z } from 'zod';

/**
 * The tenant's chat and widget settings, kept in `tenants.settings.chat` (jsonb). Read through
 * `readChatSettings`, which fills defaults and drops anything malformed, so a bad or older value
 * in the database never breaks the widget.
 */
const color = z.string().trim().regex(/^#[0-9a-fA-F]{6}$/, 'A colour like #1a73e8');

export const themeSchema = z
  .object({
    accentColor: color,
    backgroundColor: color,
    textColor: color,
    position: z.enum(['bottom-right', 'bottom-left']),
    radiusPx: z.number().int().min(0).max(32),
  })
  .strict();

export const stringsSchema = z
  .object({
    title: z.string().trim().min(1).max(60),
    placeholder: z.string().trim().min(1).max(120),
    send: z.string().trim().min(1).max(30),
    stop: z.string().trim().min(1).max(30),
    lowBalance: z.string().trim().min(1).max(200),
    outOfCredits: z.string().trim().min(1).max(200),
    buyCredits: z.string().trim().min(1).max(60),
  })
  .strict();

export const chatSettingsSchema = z
  .object({
    theme: themeSchema,
    strings: stringsSchema,
    /** Millicredits a new visitor receives once; 0 turns it off. */
    welcomeCredits: z.number().int().min(0).max(1_000_000_000),
    /** Days until welcome credits expire; null keeps them forever. */
    welcomeExpiryDays: z.number().int().min(1).max(3650).nullable(),
    /** The widget warns when the available balance falls below this (millicredits). */
    lowBalanceThreshold: z.number().int().min(0).max(1_000_000_000),
  })
  .strict();

export type ChatSettings = z.infer<typeof chatSettingsSchema>;

export const defaultChatSettings: ChatSettings = {
  theme: { accentColor: '#4f46e5', backgroundColor: '#ffffff', textColor: '#111827', position: 'bottom-right', radiusPx: 12 },
  strings: {
    title: 'Chat with us',
    placeholder: 'Type your message…',
    send: 'Send',
    stop: 'Stop',
    lowBalance: 'You are running low on credits.',
    outOfCredits: 'You are out of credits.',
    buyCredits: 'Buy credits',
  },
  welcomeCredits: 5_000,
  welcomeExpiryDays: 30,
  lowBalanceThreshold: 1_000,
};

/** A patch from the dashboard: any subset, with theme and strings merged key by key. */
export const chatSettingsPatch = z
  .object({
    theme: themeSchema.partial().optional(),
    strings: stringsSchema.partial().optional(),
    welcomeCredits: chatSettingsSchema.shape.welcomeCredits.optional(),
    welcomeExpiryDays: chatSettingsSchema.shape.welcomeExpiryDays.optional(),
    lowBalanceThreshold: chatSettingsSchema.shape.lowBalanceThreshold.optional(),
  })
  .strict();
export type ChatSettingsPatch = z.infer<typeof chatSettingsPatch>;

function pick<T>(schema: z.ZodType<T>, value: unknown, fallback: T): T {
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : fallback;
}

/** Each field falls back on its own, so one bad colour does not reset the whole theme. */
export function readChatSettings(settings: Record<string, unknown> | null | undefined): ChatSettings {
  const raw = (settings?.chat ?? {}) as Record<string, unknown>;
  const theme = (raw.theme ?? {}) as Record<string, unknown>;
  const strings = (raw.strings ?? {}) as Record<string, unknown>;
  const d = defaultChatSettings;
  const fieldwise = <S extends z.ZodObject<z.ZodRawShape>>(schema: S, value: Record<string, unknown>, fallback: z.infer<S>): z.infer<S> =>
    Object.fromEntries(
      Object.entries(schema.shape).map(([key, field]) => [key, pick(field as z.ZodType, value[key], (fallback as Record<string, unknown>)[key])]),
    ) as z.infer<S>;
  return {
    theme: fieldwise(themeSchema, theme, d.theme),
    strings: fieldwise(stringsSchema, strings, d.strings),
    welcomeCredits: pick(chatSettingsSchema.shape.welcomeCredits, raw.welcomeCredits, d.welcomeCredits),
    welcomeExpiryDays: pick(chatSettingsSchema.shape.welcomeExpiryDays, raw.welcomeExpiryDays, d.welcomeExpiryDays),
    lowBalanceThreshold: pick(chatSettingsSchema.shape.lowBalanceThreshold, raw.lowBalanceThreshold, d.lowBalanceThreshold),
  };
}

export function applyChatSettingsPatch(current: ChatSettings, patch: ChatSettingsPatch): ChatSettings {
  return {
    theme: { ...current.theme, ...patch.theme },
    strings: { ...current.strings, ...patch.strings },
    welcomeCredits: patch.welcomeCredits ?? current.welcomeCredits,
    welcomeExpiryDays: patch.welcomeExpiryDays === undefined ? current.welcomeExpiryDays : patch.welcomeExpiryDays,
    lowBalanceThreshold: patch.lowBalanceThreshold ?? current.lowBalanceThreshold,
  };
}
