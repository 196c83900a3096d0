import { html, type TemplateResult } from 'lit';
import type { Route } from '../controllers/router';
import type { Api } from '../lib/api';
import type { DashboardContext } from '../lib/context';

/** Pages anyone may open, signed in or not. */
const publicPages = new Set(['login', 'signup', 'invite']);
export const isPublicPage = (page: string): boolean => publicPages.has(page);

/**
 * The page for a route. Tags are written out (not computed) so each page's properties are
 * type-checked by lit-analyzer-style tooling and visible at a glance.
 */
export function renderPage(route: Route, ctx: DashboardContext | undefined, api: Api, signedIn: boolean): TemplateResult {
  switch (route.page) {
    case 'signup':
      return html`<parley-signup-page .api=${api}></parley-signup-page>`;
    case 'invite':
      return html`<parley-invite-page .api=${api} .token=${route.params.token ?? ''} .signedIn=${signedIn}></parley-invite-page>`;
    case 'login':
      return html`<parley-login-page .api=${api}></parley-login-page>`;
  }
  if (!signedIn) return html`<parley-login-page .api=${api}></parley-login-page>`;
  if (!ctx) return html`<parley-no-workspace-page .api=${api}></parley-no-workspace-page>`;
  switch (route.page) {
    case 'analytics':
      return html`<parley-analytics-page .ctx=${ctx}></parley-analytics-page>`;
    case 'activity':
      return html`<parley-activity-page .ctx=${ctx}></parley-activity-page>`;
    case 'visitors':
      return html`<parley-visitors-page .ctx=${ctx} .search=${route.query.get('q') ?? ''}></parley-visitors-page>`;
    case 'visitor':
      return html`<parley-visitor-page .ctx=${ctx} .visitorId=${route.params.id ?? ''}></parley-visitor-page>`;
    case 'conversation':
      return html`<parley-conversation-page .ctx=${ctx} .conversationId=${route.params.id ?? ''}></parley-conversation-page>`;
    case 'personas':
      return html`<parley-personas-page .ctx=${ctx}></parley-personas-page>`;
    case 'models':
      return html`<parley-models-page .ctx=${ctx}></parley-models-page>`;
    case 'packs':
      return html`<parley-packs-page .ctx=${ctx}></parley-packs-page>`;
    case 'embed':
      return html`<parley-embed-page .ctx=${ctx}></parley-embed-page>`;
    case 'integrations':
      return html`<parley-integrations-page .ctx=${ctx}></parley-integrations-page>`;
    case 'keys':
      return html`<parley-keys-page .ctx=${ctx}></parley-keys-page>`;
    case 'members':
      return html`<parley-members-page .ctx=${ctx}></parley-members-page>`;
    case 'settings':
      return html`<parley-settings-page .ctx=${ctx}></parley-settings-page>`;
    default:
      return html`<section><h1>Page not found</h1><p>There is nothing at this address. <a href="/dashboard/">Go to analytics</a>.</p></section>`;
  }
}
