import type { Pool } from 'pg';
import { AppError } from '../http/errors';
import { withTransaction } from '../ledger/db';
import { transfer } from '../ledger/transfer';
import { findVisitor, upsertVisitorByExternalId, type VisitorRecord } from '../visitors/service';
import type { IdentifyPayload } from '../wire/chat';
import { loadIdentitySecret, signatureMatches } from './secret';

export interface IdentifyOptions {
  db: Pool;
  masterKey: string | undefined;
  tenantId: string;
  /** The visitor the widget is connected as. */
  visitorId: string;
  payload: Required<Pick<IdentifyPayload, 'userId' | 'signature'>> & Pick<IdentifyPayload, 'name' | 'email'>;
  now: Date;
}

/**
 * `Parley('identify')`: the site vouches (by signature) that this browser is its user `userId`.
 * An anonymous visitor's balance and history move onto that user's visitor, so credits follow the
 * person across devices. A visitor already identified as someone else is not merged: the browser
 * simply switches to the other user (shared computers). Returns the visitor to reconnect as.
 */
export async function identifyVisitor(o: IdentifyOptions): Promise<VisitorRecord> {
  const secret = await loadIdentitySecret(o);
  if (!secret || !signatureMatches(secret, o.payload.userId, o.payload.signature)) {
    throw new AppError('invalid_signature', 'The identify signature does not match this user id');
  }
  const current = await findVisitor({ db: o.db, tenantId: o.tenantId, visitorId: o.visitorId });
  const target = await upsertVisitorByExternalId({
    db: o.db, tenantId: o.tenantId, externalUserId: o.payload.userId, email: o.payload.email, name: o.payload.name, now: o.now,
  });
  if (target.blockedAt) throw new AppError('visitor_blocked', 'This visitor has been blocked by the site');
  if (current.externalUserId === null && current.id !== target.id) await mergeInto({ ...o, from: current.id, to: target.id });
  return target;
}

/**
 * Credits move through the ledger (grant by grant, keeping expiry; refused while a reply is in
 * flight); conversations and purchases follow. Each step is idempotent, so a retried identify
 * after a failure part-way finishes the job.
 */
async function mergeInto(o: IdentifyOptions & { from: string; to: string }): Promise<void> {
  await transfer({
    db: o.db, tenantId: o.tenantId, fromVisitorId: o.from, toVisitorId: o.to,
    idempotencyKey: `identify:${o.from}:${o.to}`, actor: { type: 'system', id: 'identify' }, reason: 'Visitor identified', now: o.now,
  });
  await withTransaction(o.db, async (client) => {
    for (const table of ['chat_conversations', 'chat_messages', 'purchases']) {
      await client.query(`UPDATE ${table} SET visitor_id = $3 WHERE tenant_id = $1 AND visitor_id = $2`, [o.tenantId, o.from, o.to]);
    }
  });
}
