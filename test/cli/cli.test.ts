import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runCli, type CliIo } from '../../src/cli/main.js';
import { REDACTED } from '../../src/core/plan/index.js';
import {
  createsOnlyPlan,
  incidentDestroyPlan,
  missingStatePlan,
  stateFile,
} from '../../testkit/plans/samples.js';
import { repoRoot } from '../../testkit/support/shared.js';

const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));

function io(
  files: Record<string, Uint8Array | string>,
  stdin = '',
): CliIo & { out: string; err: string } {
  const r = {
    out: '',
    err: '',
    readFile: async (p: string) => {
      const f = files[p];
      if (f === undefined) throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
      return typeof f === 'string' ? new TextEncoder().encode(f) : f;
    },
    readStdin: async () => new TextEncoder().encode(stdin),
    fileExists: (p: string) => p in files,
    stdout: (t: string) => void (r.out += t),
    stderr: (t: string) => void (r.err += t),
    isTTY: false,
    env: {},
  };
  return r;
}

const files = {
  'incident.json': enc(incidentDestroyPlan()),
  'creates.json': enc(createsOnlyPlan()),
  'missing-state.json': enc(missingStatePlan()),
  'terraform.tfstate': enc(stateFile()),
};

describe('applygate check', () => {
  test('exits 3 on the incident plan and says why', async () => {
    const t = io(files);
    expect(await runCli(['check', 'incident.json'], t)).toBe(3);
    expect(t.out).toMatch(
      /needs approval: it destroys or replaces 16 resources; its risk level is critical/,
    );
  });
  test('exits 0 on a plan with only creates', async () => {
    const t = io(files);
    expect(await runCli(['check', 'creates.json'], t)).toBe(0);
    expect(t.out).toMatch(/within limits/);
  });
  test('exits 2 on a state file, with the file named on stderr and nothing on stdout', async () => {
    const t = io(files);
    expect(await runCli(['check', 'terraform.tfstate'], t)).toBe(2);
    expect(t.err).toMatch(
      /^applygate: terraform\.tfstate: this is a Terraform state file, not a plan/,
    );
    expect(t.out).toBe('');
  });
  test('one bad file among good ones: exit 2, nothing half-written', async () => {
    const t = io(files);
    expect(await runCli(['summarize', 'incident.json', 'nope.json', 'terraform.tfstate'], t)).toBe(
      2,
    );
    expect(t.out).toBe('');
    expect(t.err).toMatch(/nope\.json: no such file/);
    expect(t.err).toMatch(/terraform\.tfstate: this is a Terraform state file/);
  });
  test('--max-level and --allow-destroy', async () => {
    expect(await runCli(['check', 'missing-state.json', '--max-level', 'high'], io(files))).toBe(0);
    expect(await runCli(['check', 'missing-state.json', '--max-level', 'medium'], io(files))).toBe(
      3,
    );
    expect(
      await runCli(
        ['check', 'incident.json', '--max-level', 'critical', '--allow-destroy'],
        io(files),
      ),
    ).toBe(0);
    expect(await runCli(['check', 'incident.json', '--max-level', 'critical'], io(files))).toBe(3);
    expect(await runCli(['check', 'incident.json', '--allow-destroy'], io(files))).toBe(3); // still critical
    expect(await runCli(['check', 'incident.json', '--max-level', 'extreme'], io(files))).toBe(2);
  });
  test('a config file raises or lowers the bar, and a bad one is exit 2 naming the key', async () => {
    const f = {
      ...files,
      'strict.yml': 'approval:\n  when: { level: low }\n',
      'bad.yml': 'approval:\n  when: { level: severe }\n',
    };
    expect(await runCli(['check', 'missing-state.json', '--config', 'strict.yml'], io(f))).toBe(3);
    const t = io(f);
    expect(await runCli(['check', 'creates.json', '--config', 'bad.yml'], t)).toBe(2);
    expect(t.err).toMatch(
      /bad\.yml: `approval\.when\.level` is "severe"; allowed: low, medium, high, critical, never/,
    );
  });
});

describe('applygate summarize', () => {
  test('json: the schemaVersion 1 contract', async () => {
    const t = io(files);
    expect(await runCli(['summarize', 'incident.json', '--format', 'json'], t)).toBe(0);
    const j = JSON.parse(t.out);
    expect(j).toMatchObject({ schemaVersion: 1, level: 'critical', requiresApproval: true });
    const [p] = j.projects;
    expect(p).toMatchObject({
      name: 'default',
      file: 'incident.json',
      level: 'critical',
      requiresApproval: true,
    });
    expect(p.digest).toMatch(/^sha256v2:[0-9a-f]{64}$/);
    expect(p.counts).toEqual({
      create: 0,
      update: 0,
      delete: 16,
      replace: 0,
      read: 0,
      noop: 0,
      forget: 0,
      import: 0,
      move: 0,
    });
    expect(p.changes[0]).toEqual(
      expect.objectContaining({
        kind: 'delete',
        type: expect.any(String),
        address: expect.any(String),
      }),
    );
    expect(p.risks.map((r: { id: string }) => r.id)).toEqual(
      expect.arrayContaining(['backups-lost', 'stateful-destroy', 'mass-destroy']),
    );
    expect(t.out).not.toContain('hunter2');
  });
  test('reads stdin with -, and names projects with name=path', async () => {
    const t = io(files, JSON.stringify(createsOnlyPlan()));
    expect(await runCli(['summarize', 'net=-', 'db=incident.json', '--format', 'json'], t)).toBe(0);
    const j = JSON.parse(t.out);
    expect(j.projects.map((p: { name: string; file: string }) => [p.name, p.file])).toEqual([
      ['net', '<stdin>'],
      ['db', 'incident.json'],
    ]);
    expect(j.level).toBe('critical');
  });
  test('text and markdown views never show the sensitive password', async () => {
    for (const format of ['text', 'markdown']) {
      const t = io(files);
      expect(await runCli(['summarize', 'incident.json', '--format', format], t)).toBe(0);
      expect(t.out).not.toContain('hunter2');
      expect(t.out).toContain('aws_db_instance.main');
    }
    const t = io(files);
    await runCli(['summarize', 'incident.json', '--format', 'markdown'], t);
    expect(t.out).toContain(REDACTED);
  });
  test('usage errors exit 2', async () => {
    for (const argv of [
      [],
      ['frobnicate'],
      ['summarize'],
      ['summarize', 'a.json', '--format', 'yaml'],
      ['summarize', 'a.json', '--bogus'],
      ['check', '-', '-'],
    ]) {
      const t = io(files);
      expect(await runCli(argv, t)).toBe(2);
      expect(t.err).toMatch(/applygate: /);
    }
  });
});

const built = join(repoRoot, 'lib/cli/index.js');
(existsSync(built) ? describe : describe.skip)('the built CLI as a process', () => {
  test('exit codes 3, 0 and 2 from a real process, reading a file and stdin', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'applygate-cli-'));
    for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
    const exec = promisify(execFile);
    const code = async (args: string[]) =>
      exec(process.execPath, [built, ...args], { cwd: dir }).then(
        () => 0,
        (e: { code: number }) => e.code,
      );
    expect(await code(['check', 'incident.json'])).toBe(3);
    expect(await code(['check', 'creates.json'])).toBe(0);
    expect(await code(['check', 'terraform.tfstate'])).toBe(2);
  });

  // The policy engine is a chunk of the bundle of its own, loaded only for a config with
  // policies: it must be found and run from the built CLI, and a broken policy still refuses.
  test('a config with policies loads the policy engine; one that does not compile is exit 2', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'applygate-cli-'));
    for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
    const policy = (when: string) =>
      `policies:\n  - {id: no-subnet, severity: critical, message: No subnet today, when: '${when}'}\n`;
    writeFileSync(join(dir, 'fires.yml'), policy('change.type == "aws_subnet"'));
    writeFileSync(join(dir, 'broken.yml'), policy('change.type =='));
    const exec = promisify(execFile);
    const summarize = (config: string) =>
      exec(
        process.execPath,
        [built, 'summarize', 'creates.json', '--format', 'json', '--config', config],
        {
          cwd: dir,
        },
      ).then(
        (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({
          code: e.code,
          out: e.stdout,
          err: e.stderr,
        }),
      );
    const fired = await summarize('fires.yml');
    expect(fired.code).toBe(0);
    const findings = (
      JSON.parse(fired.out) as { projects: { risks: { id: string; address?: string }[] }[] }
    ).projects[0]!.risks;
    expect(findings).toContainEqual(
      expect.objectContaining({ id: 'policy:no-subnet', address: 'aws_subnet.extra[1]' }),
    );
    const broken = await summarize('broken.yml');
    expect(broken.code).toBe(2);
    expect(broken.err).toMatch(
      /broken\.yml: `policies\[0\]\.when`: policy 'no-subnet': `when` at 1:\d+: does not parse/,
    );
  });
});
