import { z } from 'zod';

export const personaInput = z
  .object({
    name: z.string().trim().min(1).max(60),
    avatarUrl: z.url({ protocol: /^https?$/ }).max(2000).nullable().default(null),
    greeting: z.string().trim().max(500).default(''),
    systemPrompt: z.string().max(20_000).default(''),
    modelId: z.uuid().describe("A model of the workspace's catalogue"),
    temperature: z.number().min(0).max(2).nullable().default(null).describe("null: the model's default"),
    maxOutputTokens: z.number().int().min(16).max(32_000).default(1024),
    enabled: z.boolean().default(true),
    position: z.number().int().min(0).max(10_000).default(0).describe('Lower comes first in the widget'),
  })
  .strict();

/** A patch: any field, without the create defaults filling in what was not sent. */
export const personaPatch = z
  .object({
    name: personaInput.shape.name,
    avatarUrl: z.url({ protocol: /^https?$/ }).max(2000).nullable(),
    greeting: z.string().trim().max(500),
    systemPrompt: z.string().max(20_000),
    modelId: z.uuid(),
    temperature: z.number().min(0).max(2).nullable(),
    maxOutputTokens: z.number().int().min(16).max(32_000),
    enabled: z.boolean(),
    position: z.number().int().min(0).max(10_000),
  })
  .partial()
  .strict();

export type PersonaInput = z.infer<typeof personaInput>;
export type PersonaPatch = z.infer<typeof personaPatch>;

export const personaView = z.object({
  id: z.uuid(),
  name: z.string(),
  avatarUrl: z.string().nullable(),
  greeting: z.string(),
  systemPrompt: z.string(),
  modelId: z.uuid(),
  temperature: z.number().nullable(),
  maxOutputTokens: z.number().int(),
  enabled: z.boolean(),
  position: z.number().int(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
