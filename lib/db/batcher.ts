// Batches: callers that arrive together share one statement, so one round
// trip (and, for writes, one commit: group commit) carries them all. A batch
// leaves as soon as a slot is free (a lone caller waits for nothing but the
// next turn of the event loop); under load, each batch carries what arrived
// while the previous ones were in flight. Each caller learns its own outcome,
// once the statement that holds it is done.

/** What one item of a batch came to. */
export type Outcome<T> = { value: T } | { error: unknown };

export interface BatcherOptions {
  /** Items per batch at most. */
  maxBatch: number;
  /** Batches in flight at once. One keeps batches in arrival order. */
  concurrency?: number;
}

interface Waiting<I, O> {
  item: I;
  resolve(value: O): void;
  reject(error: unknown): void;
}

export class Batcher<I, O> {
  private waiting: Array<Waiting<I, O>> = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly concurrency: number;

  /** `run` answers each item of a batch, in its order; if it throws, every item of the batch fails with it. */
  constructor(
    private readonly run: (items: I[]) => Promise<Array<Outcome<O>>>,
    private readonly options: BatcherOptions,
  ) {
    this.concurrency = options.concurrency ?? 1;
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.scheduled && this.inFlight < this.concurrency) {
        // The rest of this turn's callers join the batch.
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.flush();
        });
      }
    });
  }

  private flush(): void {
    while (this.inFlight < this.concurrency && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.options.maxBatch);
      this.inFlight += 1;
      // settle() hands every failure to the batch's callers: it never rejects.
      const done = () => {
        this.inFlight -= 1;
        this.flush();
      };
      this.settle(batch).then(done, done);
    }
  }

  private async settle(batch: Array<Waiting<I, O>>): Promise<void> {
    try {
      const outcomes = await this.run(batch.map((waiting) => waiting.item));
      batch.forEach((waiting, index) => {
        const outcome = outcomes[index];
        if (!outcome) waiting.reject(new Error("The batch gave no outcome for this item"));
        else if ("error" in outcome) waiting.reject(outcome.error);
        else waiting.resolve(outcome.value);
      });
    } catch (err) {
      for (const waiting of batch) waiting.reject(err);
    }
  }
}
