import type { ModelPrice, ModelView, PackView, PersonaView, ThemeView, WidgetConfig } from '../wire/config';
import { safeUrl } from '../markdown/parse';
import { isHexColor } from '../shared/launcher';

type Raw = Record<string, unknown>;
const obj = (v: unknown): Raw => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : {});
const list = (v: unknown): Raw[] => (Array.isArray(v) ? v.map(obj) : []);
const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);
const int = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : Number(v) || 0);

/**
 * Reads `GET /widget/config` defensively: every field is type-checked and defaulted (a browser
 * never trusts a payload's shape), tenant URLs are vetted, and the server's field spellings
 * (`accentColor`, `bottom-left`, flat model prices) are accepted alongside the documented ones.
 */
export function readConfig(input: unknown): WidgetConfig {
  const raw = obj(input);
  const theme = obj(raw.theme);
  const strings = obj(raw.strings);
  return {
    personas: list(raw.personas).map(readPersona).filter((p) => p.id),
    models: list(raw.models).map(readModel).filter((m) => m.id),
    packs: list(raw.packs).map(readPack).filter((p) => p.id),
    theme: readTheme(theme, strings),
    locale: typeof raw.locale === 'string' ? raw.locale : null,
    strings,
    lowBalanceThreshold: int(raw.lowBalanceThreshold ?? obj(raw.balance).lowBalanceThreshold),
  };
}

function readPersona(p: Raw): PersonaView {
  const avatar = str(p.avatarUrl);
  return { id: str(p.id), name: str(p.name, 'Assistant'), avatarUrl: avatar ? safeUrl(avatar) : null, greeting: str(p.greeting), modelId: str(p.modelId) };
}

function readModel(m: Raw): ModelView {
  const price = obj(m.price);
  const pick = (...keys: string[]) => int(keys.map((k) => price[k] ?? m[k]).find((v) => v !== undefined));
  const modelPrice: ModelPrice = {
    perMessage: pick('perMessage', 'messageFee', 'fee'),
    per1kInput: pick('per1kInput', 'inputPer1k'),
    per1kOutput: pick('per1kOutput', 'outputPer1k'),
  };
  return { id: str(m.id), name: str(m.name) || str(m.displayName, 'Model'), price: modelPrice };
}

function readPack(p: Raw): PackView {
  return {
    id: str(p.id),
    name: str(p.name),
    credits: int(p.credits),
    amountMinor: int(p.amountMinor),
    currency: str(p.currency, 'USD'),
    badge: typeof p.badge === 'string' && p.badge ? p.badge : null,
  };
}

function readTheme(theme: Raw, strings: Raw): ThemeView {
  const brand = theme.brandColor ?? theme.accentColor;
  const mode = str(theme.mode);
  return {
    brandColor: isHexColor(brand) ? brand : '#1d4ed8',
    mode: mode === 'light' || mode === 'dark' ? mode : 'auto',
    position: /left/.test(str(theme.position)) ? 'left' : 'right',
    launcherIcon: str(theme.launcherIcon, 'chat'),
    title: str(theme.title) || str(strings.title),
    background: isHexColor(theme.backgroundColor) ? theme.backgroundColor : undefined,
    text: isHexColor(theme.textColor) ? theme.textColor : undefined,
    radiusPx: typeof theme.radiusPx === 'number' ? theme.radiusPx : undefined,
  };
}
