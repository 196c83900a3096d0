import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

export interface Secrets {
  sessionSecret: string;
  /** base64 32 bytes: the AES-256-GCM key for tenant secrets at rest. */
  masterKey: string;
}

/**
 * Secrets given in the environment win; otherwise they are generated once into
 * `<dataDir>/secrets.json` (mode 0600) so sessions and encrypted data survive restarts.
 * Several processes or machines must share them: set SESSION_SECRET and MASTER_KEY there.
 */
export async function loadOrCreateSecrets(dataDir: string, given: Partial<Secrets>): Promise<Secrets> {
  if (given.sessionSecret && given.masterKey) return { sessionSecret: given.sessionSecret, masterKey: given.masterKey };
  const file = path.join(dataDir, 'secrets.json');
  let stored: Partial<Secrets> = {};
  try {
    stored = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<Secrets>;
  } catch {
    stored = {};
  }
  const secrets: Secrets = {
    sessionSecret: given.sessionSecret ?? stored.sessionSecret ?? crypto.randomBytes(32).toString('base64url'),
    masterKey: given.masterKey ?? stored.masterKey ?? crypto.randomBytes(32).toString('base64'),
  };
  if (stored.sessionSecret !== secrets.sessionSecret || stored.masterKey !== secrets.masterKey) {
    await fs.mkdir(dataDir, { recursive: true });
    await fs.writeFile(file, JSON.stringify({ ...stored, ...secrets }, null, 2), { mode: 0o600 });
  }
  return secrets;
}
