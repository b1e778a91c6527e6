import { approvalPolicy } from '../../../src/core/approval/policy.js';
import { scopedTo } from '../../../src/core/approval/scope.js';
import { parseConfig } from '../../../src/core/config.js';

const YAML = `approval:
  required: 2
  approvers: ["ops-olga"]
  when: { level: medium }
projects:
  - name: db
    paths: ["infra/db/", "modules/rds/**"]
    approval: { approvers: ["@acme/dba"], when: { destroys: false } }
  - name: network
    paths: ["infra/network/"]
`;

test('a project overrides the keys it names and takes the top-level value for the rest', () => {
  const c = parseConfig(YAML);
  if (!c.ok) throw new Error(c.errors.join('\n'));
  const policy = approvalPolicy(c.config);
  const db = policy.projects.find((p) => p.name === 'db')!.policy;
  expect(db).toMatchObject({
    required: 2,
    approvers: ['acme/dba'],
    command: '/approve-destroy',
    when: { destroys: false, level: 'medium' },
  });
  const network = policy.projects.find((p) => p.name === 'network')!.policy;
  expect(network).toMatchObject({ required: 2, approvers: ['ops-olga'], when: { destroys: true } });
});

test("a project's owners are those of its own changed files; an unlisted project's, those outside all", () => {
  const c = parseConfig(YAML);
  if (!c.ok) throw new Error(c.errors.join('\n'));
  const input = {
    policy: approvalPolicy(c.config),
    changedFiles: [
      'infra/db/main.tf',
      'modules/rds/x/main.tf',
      'infra/network/vpc.tf',
      'README.md',
    ],
  };
  expect(scopedTo(input, 'db').changedFiles).toEqual(['infra/db/main.tf', 'modules/rds/x/main.tf']);
  expect(scopedTo(input, 'network').changedFiles).toEqual(['infra/network/vpc.tf']);
  expect(scopedTo(input, 'other').changedFiles).toEqual(['README.md']);
});

test.each([
  [
    'a name used twice',
    'projects:\n  - {name: a, paths: [x/]}\n  - {name: a, paths: [y/]}\n',
    /`projects\[1\]\.name` "a" is used twice/,
  ],
  [
    'a path CODEOWNERS cannot match',
    'projects:\n  - {name: a, paths: ["!x/"]}\n',
    /`projects\[0\]\.paths\[0\]`/,
  ],
  [
    'the command per project',
    'projects:\n  - {name: a, paths: [x/], approval: {command: /ok-go}}\n',
    /`projects\[0\]\.approval\.command` is not a known key/,
  ],
  ['missing paths', 'projects:\n  - {name: a}\n', /`projects\[0\]\.paths` is required/],
])('refuses %s', (_name, yaml, want) => {
  const c = parseConfig(yaml);
  expect(c.ok).toBe(false);
  expect(!c.ok && c.errors.join('\n')).toMatch(want);
});
