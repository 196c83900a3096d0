import { z } from 'zod';
import type { AppContext } from '../http/context';
import { defineRoute } from '../http/route';
import { createPackBody, packView, updatePackBody } from './schemas';
import { createPack, deletePack, getPack, listPacks, updatePack } from './service';

const idParams = z.object({ id: z.uuid() });

export function packRoutes({ deps }: AppContext) {
  const { models } = deps;
  return [
    defineRoute({
      method: 'get', path: '/api/packs', tag: 'packs', auth: 'tenant', secretKey: true,
      summary: 'Credit packs, in the order visitors see them (inactive ones included)',
      response: z.object({ data: z.array(packView) }),
      handler: async ({ tenant }) => ({ data: await listPacks({ models, scope: tenant! }) }),
    }),
    defineRoute({
      method: 'post', path: '/api/packs', tag: 'packs', auth: 'tenant', secretKey: true, status: 201,
      summary: 'Create a credit pack',
      body: createPackBody, response: packView,
      handler: async ({ tenant, body }) => createPack({ models, scope: tenant!, input: body }),
    }),
    defineRoute({
      method: 'get', path: '/api/packs/:id', tag: 'packs', auth: 'tenant', secretKey: true,
      summary: 'One credit pack',
      params: idParams, response: packView,
      handler: async ({ tenant, params }) => getPack({ models, scope: tenant!, id: params.id }),
    }),
    defineRoute({
      method: 'patch', path: '/api/packs/:id', tag: 'packs', auth: 'tenant', secretKey: true,
      summary: 'Change a pack; purchases already made keep the terms they were sold at',
      params: idParams, body: updatePackBody, response: packView,
      handler: async ({ tenant, params, body }) => updatePack({ models, scope: tenant!, id: params.id, input: body }),
    }),
    defineRoute({
      method: 'delete', path: '/api/packs/:id', tag: 'packs', auth: 'tenant', secretKey: true, status: 204,
      summary: 'Delete a pack (set active: false to stop selling it but keep it)',
      params: idParams, response: z.undefined(),
      handler: async ({ tenant, params }) => {
        await deletePack({ models, scope: tenant!, id: params.id });
      },
    }),
  ];
}
