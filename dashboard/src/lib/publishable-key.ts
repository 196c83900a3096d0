import type { ApiKey } from '../../../server/src/wire/dashboard';
import type { Api } from './api';

/** The workspace's first active publishable key (the whole key is its prefix), for the snippet and preview. */
export async function publishableKey(api: Api, signal?: AbortSignal): Promise<string> {
  const { data } = await api.get<{ data: ApiKey[] }>('/api/keys', signal);
  return data.find((k) => k.kind === 'publishable' && k.status === 'active')?.prefix ?? '';
}
