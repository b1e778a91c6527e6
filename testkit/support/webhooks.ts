import examples from '@octokit/webhooks-examples';

// Real webhook payloads from @octokit/webhooks-examples, deep-copied so a test can adapt them.

type Definition = { name: string; examples: Record<string, unknown>[] };

export function examplePayload(event: string, action?: string): Record<string, unknown> {
  const def = (examples as unknown as Definition[]).find((d) => d.name === event);
  const ex = def?.examples.find((e) => action === undefined || e.action === action);
  if (!ex) throw new Error(`no @octokit/webhooks-examples payload for ${event}.${action ?? '*'}`);
  return structuredClone(ex);
}
