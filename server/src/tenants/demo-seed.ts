import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config';
import type { Models } from '../db/models';
import { signUp } from '../auth/service';

export interface DemoLogin {
  email: string;
  password: string;
  created: boolean;
  file: string;
}

const demoEmail = 'demo@parley.local';

/**
 * On an empty database, creates the demo workspace and its owner login, and keeps the login in
 * `<dataDir>/demo-login.txt` (0600) so it can be found again after the first start.
 */
export async function seedDemo({ models, config }: { models: Models; config: Config }): Promise<DemoLogin | undefined> {
  const file = path.join(config.dataDir, 'demo-login.txt');
  if ((await models.User.count()) > 0) {
    const saved = await fs.readFile(file, 'utf8').catch(() => '');
    const password = /password: (\S+)/.exec(saved)?.[1];
    return password ? { email: demoEmail, password, created: false, file } : undefined;
  }
  const password = crypto.randomBytes(12).toString('base64url');
  const { tenant } = await signUp({
    models,
    input: { email: demoEmail, password, name: 'Demo owner', workspaceName: 'Demo site' },
  });
  await tenant.update({ allowedOrigins: [new URL(config.publicUrl).origin] });
  await fs.mkdir(config.dataDir, { recursive: true });
  await fs.writeFile(file, `Parley demo dashboard login\nemail: ${demoEmail}\npassword: ${password}\n`, { mode: 0o600 });
  return { email: demoEmail, password, created: true, file };
}
