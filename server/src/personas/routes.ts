import { z } from 'zod';
import type { AppContext } from '../http/context';
import { defineRoute } from '../http/route';
import { personaInput, personaPatch, personaView as personaSchema } from './schemas';
import { createPersona, deletePersona, getPersona, listPersonas, personaView, updatePersona } from './service';

const idParams = z.object({ id: z.uuid() });

export function personaRoutes({ deps }: AppContext) {
  const { models, pool } = deps;
  return [
    defineRoute({
      method: 'get', path: '/api/personas', tag: 'personas', auth: 'tenant',
      summary: 'Personas, in widget order',
      response: z.object({ data: z.array(personaSchema) }),
      handler: async ({ tenant }) => ({ data: (await listPersonas({ models, scope: tenant! })).map(personaView) }),
    }),
    defineRoute({
      method: 'post', path: '/api/personas', tag: 'personas', auth: 'tenant', status: 201,
      summary: 'Create a persona',
      body: personaInput, response: personaSchema,
      handler: async ({ tenant, body }) => personaView(await createPersona({ models, pool, scope: tenant!, input: body })),
    }),
    defineRoute({
      method: 'get', path: '/api/personas/:id', tag: 'personas', auth: 'tenant',
      summary: 'One persona',
      params: idParams, response: personaSchema,
      handler: async ({ tenant, params }) => personaView(await getPersona({ models, scope: tenant!, id: params.id })),
    }),
    defineRoute({
      method: 'patch', path: '/api/personas/:id', tag: 'personas', auth: 'tenant',
      summary: 'Change a persona (any subset of its fields)',
      params: idParams, body: personaPatch, response: personaSchema,
      handler: async ({ tenant, params, body }) => personaView(await updatePersona({ models, pool, scope: tenant!, id: params.id, patch: body })),
    }),
    defineRoute({
      method: 'delete', path: '/api/personas/:id', tag: 'personas', auth: 'tenant', status: 204,
      summary: 'Delete a persona (its past conversations stay)',
      params: idParams, response: z.undefined(),
      handler: async ({ tenant, params }) => {
        await deletePersona({ models, scope: tenant!, id: params.id });
      },
    }),
  ];
}
