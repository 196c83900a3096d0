import { z } from 'zod';
import type { AppContext } from '../http/context';
import { defineRoute } from '../http/route';
import { pingDatabase } from '../db/sequelize';
import { migrationsCurrent } from '../db/migrator';
import { buildOpenApi } from '../http/openapi';
import { AppError } from '../http/errors';
import { version } from '../version';

const health = z.object({ status: z.literal('ok') });
const readiness = z.object({ status: z.literal('ready'), database: z.literal(true), migrations: z.literal(true) });

export function opsRoutes(ctx: AppContext) {
  const { deps, config } = ctx;
  let openApi: unknown;
  return [
    defineRoute({
      method: 'get', path: '/healthz', tag: 'ops', auth: 'none',
      summary: 'The process is alive (no dependencies checked)',
      response: health,
      handler: () => ({ status: 'ok' as const }),
    }),
    defineRoute({
      method: 'get', path: '/readyz', tag: 'ops', auth: 'none',
      summary: 'Ready for traffic: the database answers and its migrations are current',
      response: readiness,
      handler: async () => {
        const database = await pingDatabase(deps.sequelize);
        const migrations = database && (await migrationsCurrent(deps.sequelize).catch(() => false));
        if (!database || !migrations) {
          throw new AppError('unavailable', 'Not ready', { database, migrations });
        }
        return { status: 'ready' as const, database: true as const, migrations: true as const };
      },
    }),
    defineRoute({
      method: 'get', path: '/metrics', tag: 'ops', auth: 'none', produces: 'text/plain',
      summary: 'Prometheus metrics',
      handler: async ({ res }) => {
        res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
      },
    }),
    defineRoute({
      method: 'get', path: '/api/openapi.json', tag: 'ops', auth: 'none',
      summary: 'This document: OpenAPI 3.1, generated from the schemas the routes validate with',
      response: z.record(z.string(), z.unknown()),
      handler: () => {
        openApi ??= buildOpenApi(ctx.routes, { version, serverUrl: config.publicUrl });
        return openApi as Record<string, unknown>;
      },
    }),
  ];
}
