import { z } from 'zod';
import type { AppContext } from '../http/context';
import { defineRoute } from '../http/route';
import { createModelBody, modelJson, modelView, updateModelBody } from './schemas';
import { archiveModel, createModel, getModel, listModels, updateModel } from './service';

const idParams = z.object({ id: z.uuid() });

/** The workspace's model catalogue: which models are offered, at what credit price, at what cost. */
export function catalogueRoutes({ deps }: AppContext) {
  const { models, clock } = deps;
  return [
    defineRoute({
      method: 'get', path: '/api/models', tag: 'models', auth: 'tenant',
      summary: "The workspace's model catalogue",
      query: z.object({ includeArchived: z.enum(['true', 'false']).default('false').transform((v) => v === 'true') }),
      response: z.object({ data: z.array(modelView) }),
      handler: async ({ tenant, query }) => ({
        data: (await listModels({ models, scope: tenant!, includeArchived: query.includeArchived })).map(modelJson),
      }),
    }),
    defineRoute({
      method: 'post', path: '/api/models', tag: 'models', auth: 'tenant', status: 201,
      summary: 'Offer a model, with its price in millicredits and its provider cost',
      body: createModelBody, response: modelView,
      handler: async ({ tenant, body }) => modelJson(await createModel({ models, scope: tenant!, input: body })),
    }),
    defineRoute({
      method: 'get', path: '/api/models/:id', tag: 'models', auth: 'tenant',
      summary: 'One model of the catalogue',
      params: idParams, response: modelView,
      handler: async ({ tenant, params }) => modelJson(await getModel({ models, scope: tenant!, id: params.id })),
    }),
    defineRoute({
      method: 'patch', path: '/api/models/:id', tag: 'models', auth: 'tenant',
      summary: "Change a model's name, prices, costs or whether it is enabled (new prices apply to new turns)",
      params: idParams, body: updateModelBody, response: modelView,
      handler: async ({ tenant, params, body }) => modelJson(await updateModel({ models, scope: tenant!, id: params.id, input: body })),
    }),
    defineRoute({
      method: 'delete', path: '/api/models/:id', tag: 'models', auth: 'tenant',
      summary: 'Archive a model: disabled and hidden, kept for the turns that used it',
      params: idParams, response: modelView,
      handler: async ({ tenant, params }) => modelJson(await archiveModel({ models, scope: tenant!, id: params.id, now: clock.now() })),
    }),
  ];
}
