import { z } from 'zod';
import { providerNames, type CatalogueModel } from './catalogue-model.model';

const rate = (what: string) => z.number().int().min(0).max(1_000_000_000).describe(what);

const fields = {
  provider: z.enum(providerNames),
  providerModelId: z.string().trim().min(1).max(200).describe("The provider's model name, e.g. gpt-4o-mini"),
  displayName: z.string().trim().min(1).max(100),
  messageFee: rate('Millicredits charged per message (turn)'),
  inputPer1k: rate('Millicredits per 1,000 input tokens'),
  outputPer1k: rate('Millicredits per 1,000 output tokens'),
  inputCostPer1mMicros: rate('Provider cost per 1M input tokens, in micro-units of costCurrency (1 USD = 1,000,000)'),
  outputCostPer1mMicros: rate('Provider cost per 1M output tokens, in micro-units of costCurrency'),
  costCurrency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD'),
  maxOutputTokens: z.number().int().min(1).max(1_000_000).describe('The longest reply this model may produce'),
  enabled: z.boolean(),
};

export const createModelBody = z
  .object({
    ...fields,
    messageFee: fields.messageFee.default(0),
    inputCostPer1mMicros: fields.inputCostPer1mMicros.default(0),
    outputCostPer1mMicros: fields.outputCostPer1mMicros.default(0),
    costCurrency: fields.costCurrency.default('USD'),
    maxOutputTokens: fields.maxOutputTokens.default(4096),
    enabled: fields.enabled.default(true),
  })
  .strict();

export const updateModelBody = z
  .object(fields)
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'Change at least one field');

export const modelView = z.object({
  id: z.uuid(),
  ...fields,
  archivedAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

export const modelJson = (m: CatalogueModel) => ({
  id: m.id,
  provider: m.provider,
  providerModelId: m.providerModelId,
  displayName: m.displayName,
  messageFee: m.messageFee,
  inputPer1k: m.inputPer1k,
  outputPer1k: m.outputPer1k,
  inputCostPer1mMicros: m.inputCostPer1mMicros,
  outputCostPer1mMicros: m.outputCostPer1mMicros,
  costCurrency: m.costCurrency,
  maxOutputTokens: m.maxOutputTokens,
  enabled: m.enabled,
  archivedAt: m.archivedAt?.toISOString() ?? null,
  createdAt: m.createdAt.toISOString(),
  updatedAt: m.updatedAt.toISOString(),
});
