/**
 * Wait for a condition, never for a time: `until` checks `cond` every few milliseconds (so that
 * child processes and sockets get the CPU) and resolves once it holds. It has no deadline of its
 * own: the test's timeout is the deadline, and the test names what it waited for.
 */
export async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}
