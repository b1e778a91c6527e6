import { newestCommand } from '../../src/core/approval/command.js';
import {
  decodeLedger,
  encodeLedger,
  ledgerIsStale,
  ledgerProject,
  type Ledger,
} from '../../src/core/ledger.js';

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

describe('the newest command a ledger considered (Gate v3)', () => {
  const at = (m: number) => `2026-12-07T23:${String(m).padStart(2, '0')}:00Z`;
  const base = {
    headSha: 'a'.repeat(40),
    pull: 7,
    baseRef: 'main',
    projects: [],
  } as unknown as Ledger;
  const comments = [
    { id: 1, body: '/approve-destroy', created_at: at(1) },
    { id: 2, body: 'looks fine', created_at: at(2) },
    { id: 3, body: '/revoke-destroy', created_at: at(3) },
    { id: 4, body: '/aprove-destroy', created_at: at(4) }, // a near miss is not a command
  ];

  test('newestCommand: the latest command by when it was last written, not chatter or near misses', () => {
    expect(newestCommand(comments)).toEqual({ commentId: 3, at: at(3) });
    expect(newestCommand([{ ...comments[0]!, updated_at: at(9) }, comments[2]!])).toEqual({
      commentId: 1,
      at: at(9),
    });
    expect(newestCommand(comments.slice(1, 2))).toBeNull();
  });

  test('a ledger older than the newest command, or one that saw a command since deleted, is stale', () => {
    const seen = { ...base, newestCommand: { commentId: 1, at: at(1) } };
    expect(ledgerIsStale(seen, { commentId: 1, at: at(1) })).toBeUndefined();
    expect(ledgerIsStale(seen, { commentId: 3, at: at(3) })).toMatch(
      /decided before the newest command .*considered: comment 1 .*now: comment 3/,
    );
    expect(ledgerIsStale(seen, { commentId: 1, at: at(5) })).toMatch(/decided before/);
    expect(ledgerIsStale(seen, null)).toMatch(/a command was deleted/);
    expect(ledgerIsStale({ ...base, newestCommand: null }, null)).toBeUndefined();
    expect(ledgerIsStale(base, { commentId: 1, at: at(1) })).toMatch(/does not say/);
    expect(ledgerIsStale(base, null)).toBeUndefined();
  });
});
