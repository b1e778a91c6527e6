import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { CONFIG_SCHEMA, DEFAULT_CONFIG, parseConfig } from '../../src/core/config.js';
import { repoRoot } from '../../testkit/support/shared.js';

const errorsOf = (yaml: string) => {
  const r = parseConfig(yaml, '.github/applygate.yml');
  if (r.ok) throw new Error('expected errors');
  return r.errors;
};

test('a missing or empty file means the documented defaults', () => {
  for (const text of [undefined, '', '# nothing\n']) {
    const r = parseConfig(text);
    expect(r.ok && r.config).toEqual(DEFAULT_CONFIG);
  }
  expect(DEFAULT_CONFIG).toEqual({
    approval: {
      command: '/approve-destroy',
      required: 1,
      codeowners: true,
      approvers: [],
      allow_author: false,
      confirm_digest: false,
      owner_paths: [],
      when: { destroys: true, level: 'high' },
    },
    risk: {
      stateful_types: [],
      protected: [],
      mass_destroy: { count: 10, share: 0.5 },
      empty_state: { creates: 20, new_projects: [] },
      ignore: [],
    },
    gate: { base_branches: [], app: '', plan_workflow: '', publish_ledger: false },
    verify: { match: 'destroys' },
    projects: [],
    policies: [],
    bots: ['github-actions[bot]'],
    guard: { ask_level: 'medium', aliases: [], allow_within_limits: false },
  });
});

test('guard aliases name a terraform-family command; anything else is refused by field', () => {
  const ok = parseConfig('guard:\n  aliases: ["tf=terraform", "tfa=terraform apply"]\n');
  expect(ok.ok && ok.config.guard.aliases).toEqual(['tf=terraform', 'tfa=terraform apply']);
  const bad = parseConfig('guard:\n  aliases: ["ls=rm -rf /"]\n  ask_level: sometimes\n');
  expect(bad.ok).toBe(false);
  expect(!bad.ok && bad.errors.join('\n')).toMatch(/guard\.aliases/);
  expect(!bad.ok && bad.errors.join('\n')).toMatch(/guard\.ask_level/);
});

test('values given are deep-merged over the defaults', () => {
  const r = parseConfig(
    'approval:\n  required: 2\n  when: { level: critical }\nrisk:\n  mass_destroy: { count: 3 }\n',
  );
  if (!r.ok) throw new Error(r.errors.join());
  expect(r.config.approval.required).toBe(2);
  expect(r.config.approval.when).toEqual({ destroys: true, level: 'critical' });
  expect(r.config.approval.command).toBe('/approve-destroy');
  expect(r.config.risk.mass_destroy).toEqual({ count: 3, share: 0.5 });
});

test.each([
  ['approval:\n  required: two\n', '`approval.required` must be a whole number, found "two"'],
  ['approval:\n  required: 0\n', '`approval.required` is 0; allowed: 1 to 10'],
  [
    'approval:\n  requierd: 2\n',
    '`approval.requierd` is not a known key; allowed here: command, required, codeowners, approvers, allow_author, confirm_digest, owner_paths, when',
  ],
  [
    'approval:\n  when: { level: severe }\n',
    '`approval.when.level` is "severe"; allowed: low, medium, high, critical, never',
  ],
  [
    'risk:\n  ignore: [mass-destory]\n',
    '`risk.ignore[0]` is "mass-destory"; allowed: plan-errored,',
  ],
  ['risk:\n  mass_destroy: { share: 2 }\n', '`risk.mass_destroy.share` is 2; allowed: 0.01 to 1'],
  ['bots: github-actions[bot]\n', '`bots` must be a list, found "github-actions[bot]"'],
  [
    'gate:\n  base_branches: ["release candidate"]\n',
    '`gate.base_branches[0]` is "release candidate", which does not match',
  ],
  [
    'approval:\n  allow_author: "yes"\n',
    '`approval.allow_author` must be true or false, found "yes"',
  ],
  ['- a\n- b\n', 'the top level must be a mapping'],
  [
    'approval:\n  approvers: ["@acme/sre", "@acme/sre"]\n',
    '`approval.approvers` lists the same entry twice',
  ],
])('%j is refused with a message naming the key and what is allowed', (yaml, expected) => {
  const errors = errorsOf(yaml);
  expect(errors.some((e) => e.startsWith('.github/applygate.yml: ') && e.includes(expected))).toBe(
    true,
  );
});

test('broken YAML names the file and the line', () => {
  const [e] = errorsOf('approval:\n  required: [1\n');
  expect(e).toMatch(/^\.github\/applygate\.yml: not valid YAML: .*\(3:1\)/);
});

test('every error is reported, not only the first', () => {
  expect(errorsOf('approval: { required: 0, codeowners: 1 }\nbots: 3\n')).toHaveLength(3);
});

test('the published JSON Schema is the one in the code, and agrees with the validator', () => {
  const published = JSON.parse(
    readFileSync(join(repoRoot, 'schema/applygate.schema.json'), 'utf8'),
  );
  expect(published).toEqual(JSON.parse(JSON.stringify(CONFIG_SCHEMA)));
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const validate = ajv.compile(published);
  const samples: [string, boolean][] = [
    ['approval: { required: 2, approvers: ["@acme/sre", "octocat"] }', true],
    ['approval: { required: 0 }', false],
    ['risk: { ignore: [drift], protected: ["module.db.*"] }', true],
    ['risk: { ignore: [nope] }', false],
    ['surprise: true', false],
  ];
  for (const [yaml, ok] of samples) {
    expect(parseConfig(yaml).ok).toBe(ok);
    const doc = (
      parseConfig(yaml).ok ? JSON.parse(JSON.stringify(yamlDoc(yaml))) : yamlDoc(yaml)
    ) as unknown;
    expect(validate(doc)).toBe(ok);
  }
});

import { load } from 'js-yaml';
function yamlDoc(text: string): unknown {
  return load(text);
}

test('the approve command cannot be a revoke command', () => {
  expect(errorsOf('approval:\n  command: /revoke-destroy\n')[0]).toMatch(
    /may not start with \/revoke-/,
  );
  expect(parseConfig('approval:\n  command: /approve-apply\n').ok).toBe(true);
});
