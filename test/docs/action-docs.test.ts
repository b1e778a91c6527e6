import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { repoRoot } from '../../testkit/support/shared.js';

const read = (p: string) => readFileSync(join(repoRoot, p), 'utf8');

test('docs/action.md documents every input and output of action.yml', () => {
  const action = load(read('action.yml')) as { inputs: object; outputs: object };
  const docs = read('docs/action.md');
  const names = [...Object.keys(action.inputs), ...Object.keys(action.outputs)];
  expect(names.length).toBeGreaterThanOrEqual(2);
  for (const name of names) expect(docs).toMatch(new RegExp(`\\| \`${name}\` +\\|`));
});

test('the workflow in docs/action.md is the example workflow, verbatim', () => {
  expect(read('docs/action.md')).toContain(read('.github/workflows/examples/terraform.yml').trim());
});

test('every input the Action reads is declared in action.yml', () => {
  const action = load(read('action.yml')) as { inputs: Record<string, unknown> };
  const src = read('src/action/inputs.ts');
  const used = [
    ...src.matchAll(/get(?:Multiline)?Input\('([a-z-]+)'/g),
    ...src.matchAll(/oneOf\('([a-z-]+)'/g),
  ].map((m) => m[1]);
  expect(used.length).toBeGreaterThan(4);
  for (const name of used) expect(Object.keys(action.inputs)).toContain(name);
});
