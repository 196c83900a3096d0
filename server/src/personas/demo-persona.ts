import type { Deps } from '../deps';

/**
 * Gives the demo workspace something to chat with on first start: the offline `demo` model at a
 * small price, and one persona using it. Skipped when the workspace already has models (another
 * seed, or the owner, got there first).
 */
export async function seedDemoChat({ deps, ownerEmail }: { deps: Pick<Deps, 'models'>; ownerEmail: string }): Promise<void> {
  const { models } = deps;
  const owner = await models.User.findOne({ where: { email: ownerEmail } });
  const membership = owner ? await models.Membership.findOne({ where: { userId: owner.id, role: 'owner' } }) : null;
  if (!membership) return;
  const tenantId = membership.tenantId;
  if ((await models.CatalogueModel.count({ where: { tenantId } })) > 0) return;
  const model = await models.CatalogueModel.create({
    tenantId,
    provider: 'demo',
    providerModelId: 'parley-demo',
    displayName: 'Demo model (offline)',
    messageFee: 50,
    inputPer1k: 100,
    outputPer1k: 400,
    maxOutputTokens: 1024,
  });
  await models.Persona.create({
    tenantId,
    name: 'Parley guide',
    avatarUrl: null,
    greeting: 'Hi! I am the demo assistant. Ask me anything: replies are streamed and charged per token.',
    systemPrompt: 'You are a friendly guide to Parley, an embeddable AI chat widget with prepaid credits.',
    modelId: model.id,
    temperature: null,
    maxOutputTokens: 512,
  });
}
