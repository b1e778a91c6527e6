import { decodeLedger, encodeLedger, ledgerProject, type Ledger } from '../../src/core/ledger.js';

const ledger = (): Ledger => ({
  headSha: 'a'.repeat(40),
  pull: 7,
  baseRef: 'main',
  projects: [
    {
      name: 'default',
      digest: `sha256v2:${'b'.repeat(64)}`,
      destroySet: 'c'.repeat(64),
      riskSet: 'd'.repeat(64),
      level: 'critical',
      requiresApproval: true,
      state: 'approved',
      approvals: [{ login: 'octocat', commentId: 42, at: '2026-11-25T10:00:00Z' }],
    },
  ],
});

const encodeRaw = (value: unknown) =>
  `<!-- applygate-ledger:v1 ${Buffer.from(JSON.stringify(value)).toString('base64url')} -->`;

describe('ledger', () => {
  it('round-trips inside surrounding check-run text', () => {
    const text = `Approved by @octocat\n\n${encodeLedger(ledger())}\n`;
    expect(decodeLedger(text)).toEqual({ ok: true, ledger: ledger() });
    const decoded = decodeLedger(text);
    expect(decoded.ok && ledgerProject(decoded.ledger, 'default')?.state).toBe('approved');
    expect(decoded.ok && ledgerProject(decoded.ledger, 'other')).toBeUndefined();
  });

  it('says when there is no ledger, or more than one', () => {
    expect(decodeLedger('no record here')).toMatchObject({ ok: false, reason: 'none' });
    const line = encodeLedger(ledger());
    expect(decodeLedger(`${line}\n${line}`)).toMatchObject({ ok: false, reason: 'several' });
  });

  it('rejects undecodable text', () => {
    expect(decodeLedger('<!-- applygate-ledger:v1 bm90IGpzb24 -->')).toMatchObject({
      ok: false,
      reason: 'malformed',
      detail: 'the ledger is not valid base64url JSON',
    });
  });

  const broken: [string, (l: Ledger & Record<string, unknown>) => void, string][] = [
    ['short head', (l) => (l.headSha = 'abc1234'), 'headSha'],
    ['pull zero', (l) => (l.pull = 0), 'pull'],
    ['pull as string', (l) => ((l as Record<string, unknown>).pull = '7'), 'pull'],
    ['no base', (l) => (l.baseRef = ''), 'baseRef'],
    ['no projects', (l) => (l.projects = []), 'projects'],
    ['v1 digest', (l) => (l.projects[0]!.digest = `sha256:${'b'.repeat(64)}`), 'digest'],
    ['bad destroySet', (l) => (l.projects[0]!.destroySet = 'x'), 'destroySet'],
    ['bad riskSet', (l) => (l.projects[0]!.riskSet = 'C'.repeat(64)), 'riskSet'],
    [
      'unknown level',
      (l) => ((l.projects[0] as unknown as Record<string, unknown>).level = 'severe'),
      'level',
    ],
    [
      'unknown state',
      (l) => ((l.projects[0] as unknown as Record<string, unknown>).state = 'ok'),
      'state',
    ],
    ['bad login', (l) => (l.projects[0]!.approvals[0]!.login = 'a b'), 'approvals[0]'],
    ['bad time', (l) => (l.projects[0]!.approvals[0]!.at = 'yesterday'), 'approvals[0]'],
    ['approved, nobody', (l) => (l.projects[0]!.approvals = []), 'without approvals'],
    ['same name twice', (l) => l.projects.push({ ...l.projects[0]! }), 'repeats'],
  ];
  it.each(broken)('rejects a ledger with %s, naming the field', (_name, mutate, field) => {
    const l = ledger() as Ledger & Record<string, unknown>;
    mutate(l);
    const result = decodeLedger(encodeRaw(l));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.detail).toContain(field);
  });
});
