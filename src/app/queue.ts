// Webhooks are acknowledged at once (GitHub gives up after about 10 seconds) and the work runs
// afterwards. Work for the same key (one repository) runs one task at a time, so two events for
// the same pull request cannot race to create two check runs or two notices. Nothing here
// survives a restart, and nothing needs to: every task recomputes its decision from GitHub.

export class WorkQueue {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly running = new Set<Promise<void>>();

  /** Run `task` after the tasks already queued under `key`; a failure goes to `onError`. */
  enqueue(key: string, task: () => Promise<void>, onError: (err: unknown) => void): void {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(task).catch((err: unknown) => {
      try {
        onError(err);
      } catch {
        // a failing logger must not break the queue
      }
    });
    this.tails.set(key, next);
    this.running.add(next);
    void next.finally(() => {
      this.running.delete(next);
      if (this.tails.get(key) === next) this.tails.delete(key);
    });
  }

  /** Tasks queued or running. */
  get size(): number {
    return this.running.size;
  }

  /** Resolves once every queued task, including tasks they queued, has finished. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
