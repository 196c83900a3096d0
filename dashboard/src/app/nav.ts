import { html } from 'lit';

/** The sections of the dashboard, in menu order. */
export const navItems: Array<{ path: string; page: string; label: string }> = [
  { path: '/', page: 'analytics', label: 'Analytics' },
  { path: '/activity', page: 'activity', label: 'Activity' },
  { path: '/visitors', page: 'visitors', label: 'Visitors' },
  { path: '/personas', page: 'personas', label: 'Personas' },
  { path: '/models', page: 'models', label: 'Models & prices' },
  { path: '/packs', page: 'packs', label: 'Credit packs' },
  { path: '/embed', page: 'embed', label: 'Embed' },
  { path: '/integrations', page: 'integrations', label: 'Provider & Stripe keys' },
  { path: '/keys', page: 'keys', label: 'API keys' },
  { path: '/members', page: 'members', label: 'Members' },
  { path: '/settings', page: 'settings', label: 'Settings' },
];

/** Which menu entry a page belongs to (a visitor's page is under Visitors). */
export function sectionOf(page: string): string {
  if (page === 'visitor') return 'visitors';
  if (page === 'conversation') return 'activity';
  return page;
}

export const navLinks = (current: string) =>
  navItems.map(
    (item) => html`<a href="/dashboard${item.path === '/' ? '/' : item.path}" aria-current=${sectionOf(current) === item.page ? 'page' : 'false'}>${item.label}</a>`,
  );
