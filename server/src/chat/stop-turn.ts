import { notFound } from '../http/errors';
import type { ChatRuntime } from './runtime';

/**
 * Stops a reply the visitor is receiving. Here when this process streams it; otherwise, if it is
 * still streaming somewhere, every other process is asked (through the adapter) and the one
 * streaming it stops it. Answers whether a stop was made or requested; a finished reply is `false`.
 */
export async function stopTurn(o: { rt: ChatRuntime; tenantId: string; visitorId: string; messageId: string }): Promise<boolean> {
  const { rt, tenantId, visitorId, messageId } = o;
  if (rt.activeTurns.stop({ messageId, visitorId, reason: 'visitor' })) return true;
  const { rows } = await rt.db.query<{ status: string }>(
    `SELECT status FROM chat_messages WHERE id = $1 AND tenant_id = $2 AND visitor_id = $3 AND role = 'assistant'`,
    [messageId, tenantId, visitorId],
  );
  if (!rows[0]) throw notFound('message');
  if (rows[0].status !== 'streaming') return false;
  rt.stopElsewhere({ tenantId, visitorId, messageId });
  return true;
}
