import { z } from 'zod';
import { balanceJson, balanceView, millicredits } from '../ledger/schemas';
import type { VisitorDetail, VisitorSummary } from './queries';
import type { VisitorRecord } from './service';

export const visitorView = z.object({
  id: z.uuid(),
  anonymousId: z.uuid(),
  externalUserId: z.string().nullable(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  createdAt: z.iso.datetime(),
  lastSeenAt: z.iso.datetime(),
  blockedAt: z.iso.datetime().nullable(),
  blockedReason: z.string().nullable(),
});

export const visitorJson = (v: VisitorRecord) => ({
  id: v.id,
  anonymousId: v.anonymousId,
  externalUserId: v.externalUserId,
  email: v.email,
  name: v.name,
  createdAt: v.createdAt.toISOString(),
  lastSeenAt: v.lastSeenAt.toISOString(),
  blockedAt: v.blockedAt?.toISOString() ?? null,
  blockedReason: v.blockedReason,
});

export const visitorSummaryView = visitorView.extend({
  balance: millicredits('Ledger balance'),
  reserved: millicredits('Held for replies in progress'),
  available: millicredits('Spendable now'),
});

export const visitorSummaryJson = (v: VisitorSummary) => ({ ...visitorJson(v), balance: v.balance, reserved: v.reserved, available: v.available });

const grantView = z.object({
  id: z.uuid(),
  source: z.enum(['purchase', 'welcome', 'promotion', 'adjustment']),
  amount: millicredits('Granted'),
  remaining: millicredits('Left'),
  expiresAt: z.iso.datetime().nullable(),
  expired: z.boolean().describe('Past its expiry and waiting for the expiry job: no longer spendable'),
  externalRef: z.string().nullable(),
  createdAt: z.iso.datetime(),
});

const holdView = z.object({
  id: z.uuid(),
  amount: millicredits('Held'),
  expiresAt: z.iso.datetime(),
  createdAt: z.iso.datetime(),
  price: z.record(z.string(), z.unknown()),
});

export const visitorDetailView = z.object({
  visitor: visitorView,
  balance: balanceView,
  grants: z.array(grantView).describe('Grants with credits left, in the order spending burns them'),
  holds: z.array(holdView).describe('Pending holds: replies in progress'),
});

export const visitorDetailJson = (d: VisitorDetail) => ({
  visitor: visitorJson(d.visitor),
  balance: balanceJson(d.balance),
  grants: d.grants.map((g) => ({
    ...g,
    source: g.source as z.infer<typeof grantView>['source'],
    expiresAt: g.expiresAt?.toISOString() ?? null,
    createdAt: g.createdAt.toISOString(),
  })),
  holds: d.holds.map((h) => ({ ...h, expiresAt: h.expiresAt.toISOString(), createdAt: h.createdAt.toISOString() })),
});
