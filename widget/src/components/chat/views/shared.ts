import { html, nothing } from 'lit';
import type { BalanceView, PackView } from '../../../../../server/src/wire/chat';
import type { Translate } from '../../../i18n';
import { icons } from '../../../shared/launcher';
import type { ModelView, PersonaView } from '../../../wire/config';

export type View = 'chat' | 'personas' | 'models' | 'shop' | 'history' | 'conversations';

/** What every view needs: the strings, the language for numbers, and a way to move between views. */
export interface ViewContext {
  t: Translate;
  locale: string;
  go: (view: View) => void;
}

export interface PanelState {
  persona?: PersonaView;
  personas: PersonaView[];
  model?: ModelView;
  models: ModelView[];
  packs: PackView[];
  balance?: BalanceView;
}

const extraIcons: Record<string, string> = {
  list: 'M3 13h2v-2H3v2zm0 4h2v-2H3v2zm0-8h2V7H3v2zm4 4h14v-2H7v2zm0 4h14v-2H7v2zM7 7v2h14V7H7z',
  back: 'M20 11H7.83l5.59-5.59L12 4l-8 8 8 8 1.41-1.41L7.83 13H20v-2z',
};

export const icon = (name: string) =>
  html`<svg viewBox="0 0 24 24" aria-hidden="true"><path d=${icons[name] ?? extraIcons[name] ?? ''}></path></svg>`;

/** The persona's picture over its initial, so a blocked or broken image still leaves something. */
export function avatar(persona: PersonaView | undefined) {
  const initial = (persona?.name.trim()[0] ?? '?').toUpperCase();
  return html`<span class="avatar" part="avatar" aria-hidden="true">
    ${initial}${persona?.avatarUrl && /^https?:/.test(persona.avatarUrl)
      ? html`<img src=${persona.avatarUrl} alt="" referrerpolicy="no-referrer" @error=${(e: Event) => ((e.target as HTMLElement).hidden = true)} />`
      : nothing}
  </span>`;
}

/** A sub-view's heading with a way back to the chat. */
export function subHeading(ctx: ViewContext, title: string) {
  return html`<div class="subhead">
    <button class="icon plain" aria-label=${ctx.t('back')} @click=${() => ctx.go('chat')}>${icon('back')}</button>
    <h3 tabindex="-1" class="focus-target">${title}</h3>
  </div>`;
}
