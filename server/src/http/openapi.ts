import { z } from 'zod';
import { errorStatus } from './errors';
import { requiredRole, type AnyRoute } from './route';

/** OpenAPI 3.1 from the very zod schemas the routes validate with, so the two cannot drift. */
type JsonSchema = Record<string, unknown>;

const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
};

export const openApiPath = (path: string): string => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

function parameters(route: AnyRoute): JsonSchema[] {
  const out: JsonSchema[] = [];
  const add = (where: 'path' | 'query' | 'header', shape: z.ZodRawShape | undefined) => {
    for (const [name, field] of Object.entries(shape ?? {})) {
      const schema = field as z.ZodType;
      out.push({
        name,
        in: where,
        required: where === 'path' || !schema.safeParse(undefined).success,
        schema: toSchema(schema, 'input'),
        ...(schema.description ? { description: schema.description } : {}),
      });
    }
  };
  add('path', route.params?.shape);
  add('query', route.query?.shape);
  add('header', route.headers?.shape);
  return out;
}

function security(route: AnyRoute): JsonSchema[] | undefined {
  if (route.auth === 'none') return [];
  const session = { session: [] as string[], csrf: [] as string[] };
  if (route.method === 'get') delete (session as Partial<typeof session>).csrf;
  return route.auth === 'tenant' && route.secretKey ? [session, { secretKey: [] }] : [session];
}

function responses(route: AnyRoute): JsonSchema {
  const status = String(route.response ? (route.status ?? 200) : 200);
  const ok = route.status === 204
    ? { description: 'No content' }
    : route.response
    ? { description: 'Success', content: { 'application/json': { schema: toSchema(route.response, 'output') } } }
    : { description: 'Success', ...(route.produces ? { content: { [route.produces]: {} } } : {}) };
  return {
    [status]: ok,
    default: { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
  };
}

export function buildOpenApi(routes: readonly AnyRoute[], info: { version: string; serverUrl: string }): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const operation: JsonSchema = {
      operationId: `${route.method}${route.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      summary: route.summary,
      tags: [route.tag],
      parameters: parameters(route),
      responses: responses(route),
      security: security(route),
      ...(route.auth !== 'none' ? { 'x-parley-role': requiredRole(route) } : {}),
    };
    if (route.body) {
      operation.requestBody = { required: true, content: { 'application/json': { schema: toSchema(route.body, 'input') } } };
    }
    (paths[openApiPath(route.path)] ??= {})[route.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Parley API', version: info.version, description: 'Errors are `{ error: { code, message, details? } }`.' },
    servers: [{ url: info.serverUrl }],
    paths,
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'parley.sid' },
        csrf: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token' },
        secretKey: { type: 'http', scheme: 'bearer', description: 'A secret key, sk_...' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { type: 'string', enum: Object.keys(errorStatus) }, message: { type: 'string' }, details: {} },
            },
          },
        },
      },
    },
  };
}
