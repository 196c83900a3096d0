export { TenantCache, type TenantSnapshot, type PublishableKeyEntry, type TenantCacheStats } from './cache';
export { readTenant } from './tenant';
export { tenantCacheChannel } from './listener';
export { registerTenantCacheMetrics } from './metrics';
