import type { Pool } from 'pg';
import { z } from 'zod';
import type { ChatLimitsConfig } from '../config';
import { notFound } from '../http/errors';

/**
 * A workspace's own chat rate limits. The operator's values (CHAT_* in the environment) are the
 * ceiling: a workspace may only be stricter, and a value saved before the operator lowered theirs
 * is capped at run time by `effectiveChatLimits`. `null` means "the operator's value".
 */
export interface TenantChatLimits {
  visitorMessagesPerMin: number | null;
  tenantMessagesPerMin: number | null;
}

export type OperatorChatLimits = Pick<ChatLimitsConfig, 'visitorMessagesPerMin' | 'tenantMessagesPerMin'>;

/** What the chat turn applies: the workspace's value, never above the operator's. */
export function effectiveChatLimits(tenant: TenantChatLimits, operator: OperatorChatLimits): { visitorMessagesPerMin: number; tenantMessagesPerMin: number } {
  return {
    visitorMessagesPerMin: Math.min(tenant.visitorMessagesPerMin ?? operator.visitorMessagesPerMin, operator.visitorMessagesPerMin),
    tenantMessagesPerMin: Math.min(tenant.tenantMessagesPerMin ?? operator.tenantMessagesPerMin, operator.tenantMessagesPerMin),
  };
}

const limitsShape = z.object({ visitorMessagesPerMin: z.number().int(), tenantMessagesPerMin: z.number().int() });

export const rateLimitsView = z.object({
  visitorMessagesPerMin: z.number().int().nullable().describe("Messages per visitor per minute; null: the server's value"),
  tenantMessagesPerMin: z.number().int().nullable().describe("Messages per workspace per minute; null: the server's value"),
  operator: limitsShape.describe("This server's limits (the ceiling)"),
  effective: limitsShape.describe('What applies now'),
});

/** Built from the operator's limits, so a value above them is refused with a message beside its field. */
export function rateLimitsPatch(operator: OperatorChatLimits) {
  const perMinute = (ceiling: number) =>
    z.number({ error: 'A whole number of messages, or empty for the server default' }).int('A whole number')
      .min(1, 'At least 1')
      .max(ceiling, `At most ${ceiling}, this server's limit`)
      .nullable()
      .optional();
  return z.object({
    visitorMessagesPerMin: perMinute(operator.visitorMessagesPerMin),
    tenantMessagesPerMin: perMinute(operator.tenantMessagesPerMin),
  }).strict();
}

interface Row {
  chat_visitor_messages_per_min: number | null;
  chat_tenant_messages_per_min: number | null;
}

const view = (row: Row, operator: OperatorChatLimits): z.output<typeof rateLimitsView> => {
  const own = { visitorMessagesPerMin: row.chat_visitor_messages_per_min, tenantMessagesPerMin: row.chat_tenant_messages_per_min };
  return { ...own, operator: { ...operator }, effective: effectiveChatLimits(own, operator) };
};

export async function getRateLimits({ db, tenantId, operator }: { db: Pool; tenantId: string; operator: OperatorChatLimits }) {
  const { rows } = await db.query<Row>('SELECT chat_visitor_messages_per_min, chat_tenant_messages_per_min FROM tenants WHERE id = $1', [tenantId]);
  if (!rows[0]) throw notFound('workspace');
  return view(rows[0], operator);
}

/** Sets the limits given (null: back to the server's); the ones left out stay as they are. */
export async function updateRateLimits(o: { db: Pool; tenantId: string; operator: OperatorChatLimits; patch: Partial<TenantChatLimits>; now: Date }) {
  const { rows } = await o.db.query<Row>(
    `UPDATE tenants SET
       chat_visitor_messages_per_min = CASE WHEN $2 THEN $3::integer ELSE chat_visitor_messages_per_min END,
       chat_tenant_messages_per_min = CASE WHEN $4 THEN $5::integer ELSE chat_tenant_messages_per_min END,
       updated_at = $6
     WHERE id = $1
     RETURNING chat_visitor_messages_per_min, chat_tenant_messages_per_min`,
    [
      o.tenantId,
      o.patch.visitorMessagesPerMin !== undefined, o.patch.visitorMessagesPerMin ?? null,
      o.patch.tenantMessagesPerMin !== undefined, o.patch.tenantMessagesPerMin ?? null,
      o.now,
    ],
  );
  if (!rows[0]) throw notFound('workspace');
  return view(rows[0], o.operator);
}
