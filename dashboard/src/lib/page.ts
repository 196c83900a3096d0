import { html, nothing, type TemplateResult } from 'lit';
import type { Resource } from '../controllers/resource';
import { readOnlyNote, type DashboardContext } from './context';

/** A page's title, what it is for, and (for analysts) why its controls are disabled. */
export function pageHeader(ctx: DashboardContext, title: string, lede: string | TemplateResult, actions: TemplateResult | typeof nothing = nothing) {
  return html`<header class="spread">
      <div><h1>${title}</h1><p class="lede">${lede}</p></div>
      ${actions}
    </header>
    ${ctx.canWrite ? nothing : html`<div class="banner info" role="note" data-testid="read-only">${readOnlyNote}</div>`}`;
}

/**
 * The three states of anything loaded: loading (with what is loading), failed (with a retry),
 * and loaded. A reload keeps showing the previous value.
 */
export function loaded<T>(resource: Resource<T>, what: string, view: (value: T) => TemplateResult | typeof nothing): TemplateResult | typeof nothing {
  if (resource.value !== undefined) return view(resource.value);
  if (resource.error) {
    return html`<div class="banner error" role="alert">Could not load ${what}: ${resource.error.message}
      <button class="link" @click=${() => resource.reload()}>Try again</button></div>`;
  }
  return html`<p class="muted" aria-busy="true">Loading ${what}…</p>`;
}
