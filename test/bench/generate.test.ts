import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatePlanText, writePlanFile } from '../../testkit/plans/generate.js';
import { parsePlan, REDACTED, type Plan } from '../../src/core/plan/index.js';

// The benchmark's plans must be real plans in Terraform's shape (or the numbers mean nothing),
// the same on every run, and never leak a generated secret through applygate's model.

function plan(text: string): Plan {
  const r = parsePlan(text, 'gen.json');
  if (!r.ok) throw new Error(r.error.message);
  return r.plan;
}

describe('generated plans', () => {
  const text = generatePlanText({ resources: 2000, seed: 1 });
  const doc = JSON.parse(text) as Record<string, unknown> & {
    resource_changes: { address: string; type: string; change: { before_sensitive: unknown } }[];
  };

  test('are deterministic: the same seed gives the same bytes, another seed other bytes', () => {
    expect(generatePlanText({ resources: 2000, seed: 1 })).toBe(text);
    expect(generatePlanText({ resources: 2000, seed: 2 })).not.toBe(text);
  });

  test('have the top-level shape of `terraform show -json` 1.2', () => {
    expect(Object.keys(doc)).toEqual([
      'format_version',
      'terraform_version',
      'variables',
      'planned_values',
      'resource_drift',
      'resource_changes',
      'output_changes',
      'prior_state',
      'configuration',
      'relevant_attributes',
      'timestamp',
      'applyable',
      'complete',
      'errored',
    ]);
    expect(doc.format_version).toBe('1.2');
  });

  test('parse as plans, with every kind of change, module, provider and sensitive values', () => {
    const p = plan(text);
    expect(p.resourceChanges).toHaveLength(2000);
    const kinds = new Set(p.resourceChanges.map((c) => c.kind));
    for (const k of ['create', 'update', 'delete', 'replace', 'read', 'no-op', 'move']) {
      expect(kinds).toContain(k);
    }
    expect(p.resourceChanges.some((c) => c.createBeforeDestroy)).toBe(true);
    expect(p.resourceChanges.some((c) => c.importing)).toBe(true);
    expect(p.resourceChanges.every((c) => c.module?.startsWith('module.'))).toBe(true);
    expect(p.resourceChanges.some((c) => c.module?.includes('.module.'))).toBe(true);
    const providers = new Set(p.resourceChanges.map((c) => c.provider.split('/').pop()));
    expect([...providers].sort()).toEqual(['aws', 'azurerm', 'google', 'kubernetes']);
    expect(p.drift.length).toBeGreaterThan(0);
    expect(p.priorStateResources).toBeGreaterThan(1000);
    expect(p.outputChanges.some((o) => o.sensitive)).toBe(true);
  });

  test('resource_changes are in address order, as Terraform writes them', () => {
    const addrs = doc.resource_changes.map((c) => c.address);
    expect(addrs).toEqual([...addrs].sort());
  });

  test('sensitive values are marked the way Terraform marks them, and applygate hides them', () => {
    const p = plan(text);
    const marked = doc.resource_changes.filter((c) =>
      JSON.stringify(c.change.before_sensitive).includes('true'),
    );
    expect(marked.length).toBeGreaterThan(20);
    const db = p.resourceChanges.find((c) => c.type === 'aws_db_instance' && c.before !== null);
    expect(db && (db.before as Record<string, unknown>).password).toBe(REDACTED);
    const secrets = [...text.matchAll(/"(?:password|root_password|admin_password)":"([^"]+)"/g)];
    expect(secrets.length).toBeGreaterThan(0);
    const model = JSON.stringify(p);
    for (const [, value] of secrets) expect(model).not.toContain(value);
  });

  test('writePlanFile writes the same bytes as generatePlanText', () => {
    const dir = mkdtempSync(join(tmpdir(), 'applygate-gen-'));
    try {
      const r = writePlanFile(join(dir, 'p.json'), { resources: 500, seed: 4 });
      const written = readFileSync(join(dir, 'p.json'));
      expect(written.length).toBe(r.bytes);
      expect(written.toString('utf8')).toBe(generatePlanText({ resources: 500, seed: 4 }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('the secrets mix', () => {
    const secretsText = generatePlanText({ resources: 1500, seed: 3, mix: 'secrets' });
    const secretsDoc = JSON.parse(secretsText) as {
      resource_changes: { change: { actions: string[]; after_sensitive: unknown } }[];
    };

    test('makes every change an actionable update or create of a secret-bearing resource', () => {
      const p = plan(secretsText);
      expect(p.resourceChanges).toHaveLength(1500);
      const kinds = new Set(p.resourceChanges.map((c) => c.kind));
      expect([...kinds].sort()).toEqual(['create', 'update']);
      expect(new Set(p.resourceChanges.map((c) => c.type))).toEqual(
        new Set([
          'aws_secretsmanager_secret_version',
          'azurerm_key_vault_secret',
          'kubernetes_secret_v1',
        ]),
      );
      for (const c of secretsDoc.resource_changes) {
        expect(JSON.stringify(c.change.after_sensitive)).toContain('true');
      }
    });

    test('leaks none of its sensitive values through the model', () => {
      const values = [
        ...secretsText.matchAll(/\\"password\\":\\"([0-9a-f]{16,})\\"/g),
        ...secretsText.matchAll(/"(?:value|password)":"([0-9a-f]{16,})"/g),
      ].map((m) => m[1] as string);
      expect(values.length).toBeGreaterThan(1000);
      const model = JSON.stringify(plan(secretsText));
      for (const v of values) expect(model).not.toContain(v);
    });

    test('leaves the realistic mix byte for byte as it was', () => {
      expect(generatePlanText({ resources: 2000, seed: 1, mix: 'realistic' })).toBe(text);
    });
  });

  test('the quiet mix is 95% no-ops, the rest updates, replaces and deletes', () => {
    const p = plan(generatePlanText({ resources: 4000, seed: 5, mix: 'quiet' }));
    expect(p.resourceChanges).toHaveLength(4000);
    const count = (k: string) => p.resourceChanges.filter((c) => c.kind === k).length;
    // Data sources are reads whatever the mix; every managed resource is a no-op 95% of the time.
    const managed = p.resourceChanges.filter((c) => c.mode === 'managed').length;
    expect(count('no-op') / managed).toBeGreaterThan(0.93);
    expect(count('no-op') / managed).toBeLessThan(0.97);
    for (const k of ['update', 'replace', 'delete']) expect(count(k)).toBeGreaterThan(0);
    expect(count('create')).toBe(0);
  });
});
