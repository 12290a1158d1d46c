/** One thing to undo at the end of a run. */
interface UndoStep {
  name: string;
  undo: () => Promise<void>;
}

/**
 * Undo steps, registered as soon as each resource exists so an error or an interrupt at
 * any point still releases it. Each step bounds its own wait.
 */
export class Teardown {
  private readonly steps: UndoStep[] = [];

  add(name: string, undo: () => Promise<void>): void {
    this.steps.push({ name, undo });
  }

  /** Runs every step once, newest first; a failed step is reported and the rest still run. */
  async run(): Promise<string[]> {
    const failures: string[] = [];
    for (let step = this.steps.pop(); step; step = this.steps.pop()) {
      try {
        await step.undo();
      } catch (err) {
        failures.push(`${step.name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return failures;
  }
}

/** Waits for `work`, failing when `ms` pass first (naming `what`) or when `signal` aborts. */
export function within<T>(
  work: Promise<T>,
  ms: number,
  what: string,
  signal: AbortSignal,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const finish = (settle: () => void): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      settle();
    };
    const onAbort = (): void => finish(() => reject(signal.reason));
    const timer = setTimeout(
      () => finish(() => reject(new Error(`${what} took longer than ${ms} ms`))),
      ms,
    );

    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => finish(() => resolve(value)),
      (err: unknown) => finish(() => reject(err)),
    );
  });
}

/** Whether `work` settles within `ms`; it is left running either way. */
export function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    const done = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    work.then(done, done);
  });
}
