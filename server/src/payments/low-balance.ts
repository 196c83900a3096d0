import { toAmount, type Queryable } from '../ledger/db';
import type { TenantCache } from '../tenant-cache/cache';
import { readTenant } from '../tenant-cache/tenant';
import { readChatSettings } from '../widget-config/settings';

/**
 * The tenant's low-balance threshold (millicredits), set in the widget settings
 * (`tenants.settings.chat.lowBalanceThreshold`). The widget config and every balance push carry
 * it, so the widget can offer a top-up before the visitor runs out.
 */
export async function getLowBalanceThreshold({ db, tenantId, cache }: { db: Queryable; tenantId: string; cache?: TenantCache }): Promise<number> {
  const tenant = await readTenant({ db, tenantId, cache });
  return toAmount(readChatSettings(tenant?.settings).lowBalanceThreshold);
}

/** Low means under the threshold; a threshold of 0 turns the warning off. */
export const isLowBalance = ({ available, threshold }: { available: number; threshold: number }): boolean =>
  threshold > 0 && available < threshold;
