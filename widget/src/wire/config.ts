/**
 * `GET /widget/config?key=pk_…`: the tenant's public configuration. Only what a browser may see.
 * The widget reads it defensively (see `lib/config.ts`): a missing optional field never breaks it.
 */
import type { PackView } from '../../../server/src/wire/chat';

export type { PackView };

/** Prices in millicredits (1 credit = 1,000). A turn costs fee + ⌈in × inRate / 1000⌉ + ⌈out × outRate / 1000⌉. */
export interface ModelPrice {
  perMessage: number;
  per1kInput: number;
  per1kOutput: number;
}

export interface ModelView {
  id: string;
  name: string;
  price: ModelPrice;
}

export interface PersonaView {
  id: string;
  name: string;
  avatarUrl: string | null;
  greeting: string;
  modelId: string;
}

export interface ThemeView {
  brandColor: string;
  mode: 'light' | 'dark' | 'auto';
  position: 'left' | 'right';
  launcherIcon: string;
  title: string;
  /** Light-look surface and text colours, when the tenant customised them. */
  background?: string;
  text?: string;
  radiusPx?: number;
}

export interface WidgetConfig {
  personas: PersonaView[];
  models: ModelView[];
  packs: PackView[];
  theme: ThemeView;
  /** Default language, or null to follow the browser. */
  locale: string | null;
  /** Label overrides: `{ key: text }` or `{ de: { key: text } }`. */
  strings: Record<string, unknown>;
  /** Millicredits; below this the widget prompts a top-up. */
  lowBalanceThreshold: number;
}
