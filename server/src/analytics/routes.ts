import type { Pool } from 'pg';
import { z } from 'zod';
import type { AppContext } from '../http/context';
import { AppError } from '../http/errors';
import { defineRoute, type AnyRoute } from '../http/route';
import { toCsv } from './csv';
import { rangeQuery, resolveRange, seriesQuery, tenantTimeZone, type Granularity } from './range';
import { funnelView, insufficientView, modelsView, personasView, seriesView, summaryView } from './schemas';
import { analyticsTables as t, type AnalyticsTable, type TableInput } from './tables';

/**
 * `GET /api/analytics/<table>` answers JSON; `GET /api/analytics/<table>.csv` the same rows as CSV.
 * Reads need the analyst role, like every read.
 */
const windowQuery = rangeQuery.extend({
  windowHours: z.coerce.number().int().min(1).max(720).default(24).describe('How long after the prompt a purchase still counts'),
});

type Query = z.infer<typeof rangeQuery> & { granularity?: Granularity; windowHours?: number };

async function zoneOf(db: Pool, tenantId: string, asked: string | undefined): Promise<string> {
  if (asked) return asked;
  const { rows } = await db.query<{ settings: Record<string, unknown> }>('SELECT settings FROM tenants WHERE id = $1', [tenantId]);
  return tenantTimeZone(rows[0]?.settings);
}

/** PostgreSQL's tz database can lag behind the JavaScript one; an unknown zone is the caller's error. */
async function guardZone<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if ((err as { code?: string }).code === '22023' && /time zone/i.test(String((err as Error).message))) {
      throw new AppError('validation_failed', 'Unknown time zone', { fields: [{ in: 'query', path: 'tz', message: 'Unknown time zone' }] });
    }
    throw err;
  }
}

export function analyticsRoutes({ deps }: AppContext): AnyRoute[] {
  const db = deps.pool;

  const input = async (tenantId: string, q: Query): Promise<TableInput & { echo: { from: string; to: string; tz: string } }> => {
    const tz = await zoneOf(db, tenantId, q.tz);
    const range = await guardZone(() => resolveRange(db, { tenantId, from: q.from, to: q.to, tz, granularity: q.granularity }));
    return { db, range, granularity: q.granularity ?? 'day', windowHours: q.windowHours ?? 24, echo: { from: q.from, to: q.to, tz } };
  };

  function routesFor<T>(table: AnalyticsTable<T>, query: z.ZodObject<z.ZodRawShape>, response: z.ZodType, wrap: (value: T, i: Awaited<ReturnType<typeof input>>) => unknown): AnyRoute[] {
    return [
      defineRoute({
        method: 'get', path: `/api/analytics/${table.name}`, tag: 'analytics', auth: 'tenant', secretKey: true,
        summary: table.summary, query, response,
        handler: async ({ tenant, query: q }) => {
          const i = await input(tenant!.tenantId, q as Query);
          return wrap(await guardZone(() => table.compute(i)), i) as z.infer<typeof response>;
        },
      }),
      defineRoute({
        method: 'get', path: `/api/analytics/${table.name}.csv`, tag: 'analytics', auth: 'tenant', secretKey: true,
        summary: `${table.summary} (CSV)`, query, produces: 'text/csv',
        handler: async ({ tenant, query: q, res }) => {
          const i = await input(tenant!.tenantId, q as Query);
          const { header, rows } = table.csv(await guardZone(() => table.compute(i)));
          res.setHeader('Content-Type', 'text/csv; charset=utf-8');
          res.setHeader('Content-Disposition', `attachment; filename="parley-${table.name}-${i.echo.from}-to-${i.echo.to}.csv"`);
          res.send(toCsv(header, rows));
        },
      }),
    ];
  }

  const withRange = <T extends object>(value: T, i: { echo: object }) => ({ range: i.echo, ...value });
  const asData = <T>(value: T, i: { echo: object }) => ({ range: i.echo, data: value });
  return [
    ...routesFor(t.summaryTable, rangeQuery, summaryView, withRange),
    ...routesFor(t.timeseriesTable, seriesQuery, seriesView, (v, i) => ({ range: i.echo, granularity: i.granularity, data: v })),
    ...routesFor(t.modelsTable, rangeQuery, modelsView, asData),
    ...routesFor(t.personasTable, rangeQuery, personasView, asData),
    ...routesFor(t.funnelTable, rangeQuery, funnelView, asData),
    ...routesFor(t.insufficientTable, windowQuery, insufficientView, withRange),
  ];
}
