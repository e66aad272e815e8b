/** Runs at most `limit` async tasks at once, in submission order; cancel() drops the tasks not yet started. */
export class ConcurrencyLimiter {
  private active = 0;
  private readonly queue: Array<{ start: () => void; cancel: (e: Error) => void }> = [];
  private cancelled = false;

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`concurrency must be >= 1, got ${limit}`);
  }

  /** Schedules task; the promise settles with the task's result or rejects if cancelled before starting. */
  run<T>(task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        this.active++;
        task()
          .then(resolve, reject)
          .finally(() => {
            this.active--;
            this.pump();
          });
      };
      if (this.cancelled) reject(new Error('cancelled'));
      else {
        this.queue.push({ start, cancel: reject });
        this.pump();
      }
    });
  }

  /** Rejects every queued task and refuses new ones; running tasks finish normally. */
  cancel(): void {
    this.cancelled = true;
    for (const item of this.queue.splice(0)) item.cancel(new Error('cancelled'));
  }

  private pump(): void {
    while (this.active < this.limit && this.queue.length > 0) this.queue.shift()!.start();
  }
}
