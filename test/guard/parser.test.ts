import { cacheSuccess, loadParser } from '../../src/guard/parser.js';

// The shell parser's load is cached only when it succeeds: one failed load (a transient read
// error) must not make every later line fail in the same process.

describe('the parser load is cached only on success', () => {
  test('a failed load rejects that call, the next call loads again, then the result is kept', async () => {
    let calls = 0;
    const load = cacheSuccess(async () => {
      calls++;
      if (calls === 1) throw new Error('EIO: transient read error');
      return { parser: calls };
    });
    await expect(load()).rejects.toThrow(/transient read error/);
    const second = await load();
    expect(second).toEqual({ parser: 2 });
    expect(await load()).toBe(second);
    expect(calls).toBe(2);
  });

  test('a loader that throws at once is a rejection, retried on the next call', async () => {
    let calls = 0;
    const load = cacheSuccess((): Promise<string> => {
      calls++;
      if (calls === 1) throw new Error('cannot start');
      return Promise.resolve('ok');
    });
    await expect(load()).rejects.toThrow(/cannot start/);
    await expect(load()).resolves.toBe('ok');
    expect(calls).toBe(2);
  });

  test('callers that arrive while a load runs share it, success or failure', async () => {
    let calls = 0;
    let fail!: (e: Error) => void;
    const load = cacheSuccess(
      () =>
        new Promise<string>((resolve, reject) => {
          calls++;
          if (calls === 1) fail = reject;
          else resolve('second');
        }),
    );
    const a = load();
    const b = load();
    fail(new Error('boom'));
    await expect(a).rejects.toThrow(/boom/);
    await expect(b).rejects.toThrow(/boom/);
    await expect(load()).resolves.toBe('second');
    expect(calls).toBe(2);
  });

  test('the real loader gives one parser, the same on every call', async () => {
    const p = await loadParser();
    expect(p.parse('terraform plan')?.rootNode.type).toBe('program');
    expect(await loadParser()).toBe(p);
  });
});
