import {
  mapRun,
  pullMergedAs,
  pullWithHead,
  type PullRef,
} from '../../../src/core/approval/deployment.js';

// The one "which pull request is this commit's" rule: the app (mapRun), verify (pullMergedAs)
// and the guard (pullWithHead) ask it, and each answers exactly one pull request or none.

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const pr = (over: Partial<PullRef> & { number: number }): PullRef => ({
  state: 'open',
  headSha: A,
  baseRef: 'main',
  ...over,
});

describe('pullWithHead (the guard, a pull_request run)', () => {
  test('exactly one open pull request with the commit as head', () => {
    expect(pullWithHead(A, [pr({ number: 1 }), pr({ number: 2, headSha: B })])).toEqual({
      pull: 1,
    });
  });
  test('several: ambiguous, not the first one listed', () => {
    const r = pullWithHead(A, [pr({ number: 1 }), pr({ number: 2, baseRef: 'release' })]);
    expect(r.pull).toBeUndefined();
    expect(r).toMatchObject({ ambiguous: true, reason: expect.stringMatching(/#1, #2/) });
  });
  test('a closed one, or one whose head moved on, is not it', () => {
    const r = pullWithHead(A, [pr({ number: 1, state: 'closed' }), pr({ number: 2, headSha: B })]);
    expect(r).toMatchObject({ ambiguous: false, reason: expect.stringMatching(/no open pull/) });
  });
  test('the same pull request listed twice is one', () => {
    expect(pullWithHead(A, [pr({ number: 3 }), pr({ number: 3 })])).toEqual({ pull: 3 });
  });
});

describe('pullMergedAs (verify on the default branch)', () => {
  const merged = (n: number, over: Partial<PullRef> = {}) =>
    pr({ number: n, state: 'closed', merged: true, mergeCommitSha: B, ...over });
  test('exactly one merged pull request into the base whose merge commit it is', () => {
    expect(pullMergedAs(B, [merged(4), merged(5, { baseRef: 'dev' })], 'main')).toEqual({
      pull: 4,
    });
  });
  test('two: none, where `find` took the first', () => {
    const r = pullMergedAs(B, [merged(4), merged(5)], 'main');
    expect(r.pull).toBeUndefined();
    expect(r.reason).toMatch(/not the merge commit of exactly one pull request into main/);
  });
  test('not merged, another merge commit or another base: none', () => {
    for (const p of [
      merged(4, { merged: false }),
      merged(4, { mergeCommitSha: A }),
      merged(4, { baseRef: 'dev' }),
    ])
      expect(pullMergedAs(B, [p], 'main').pull).toBeUndefined();
  });
  test('mapRun uses the same rules', () => {
    expect(
      mapRun({ event: 'push', sha: B, headBranch: 'main' }, [merged(4), merged(5)], 'main'),
    ).toMatchObject({ reason: expect.stringMatching(/exactly one/) });
    expect(
      mapRun({ event: 'pull_request', sha: A }, [pr({ number: 1 }), pr({ number: 2 })], 'main'),
    ).toMatchObject({ ambiguous: true });
  });
});
