import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { startServer } from '../../server/src/boot';
import { loadConfig } from '../../server/src/config';
import { scratchDatabase } from '../support/db';

it('on an empty database: migrates, seeds a demo workspace and login, serves, and keeps data on restart', async () => {
  const db = await scratchDatabase({ migrated: false });
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-first-'));
  const config = loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', DATABASE_URL: db.url, DATA_DIR: dataDir, LOG_LEVEL: 'silent', SHUTDOWN_GRACE_MS: '2000' });
  const logger = pino({ level: 'silent' });
  try {
    const first = await startServer(config, logger);
    expect(first.demo).toMatchObject({ email: 'demo@parley.local', created: true });
    await request(first.url).get('/readyz').expect(200);
    const login = await request(first.url).post('/api/auth/login').send({ email: first.demo!.email, password: first.demo!.password }).expect(200);
    expect(login.body.workspaces[0]).toMatchObject({ name: 'Demo site', role: 'owner' });
    expect(await fs.readFile(path.join(dataDir, 'demo-login.txt'), 'utf8')).toContain(first.demo!.password);
    const secrets = JSON.parse(await fs.readFile(path.join(dataDir, 'secrets.json'), 'utf8'));
    await first.stop();

    const second = await startServer(config, logger);
    expect(second.demo).toMatchObject({ email: 'demo@parley.local', password: first.demo!.password, created: false });
    expect(JSON.parse(await fs.readFile(path.join(dataDir, 'secrets.json'), 'utf8'))).toEqual(secrets);
    expect(await second.deps.models.Tenant.count()).toBe(1);
    await second.stop();
  } finally {
    await db.drop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
  // Two migrating, seeding starts and two graceful stops: slow on a loaded 2-core CI machine.
}, 90_000);
