/**
 * Group commit for D1 inside one Durable Object: statements submitted while
 * a batch is in flight go to D1 together in the next `batch()` (one round
 * trip, one transaction), and each submitter gets back the results of its
 * own statements. A lone submission is sent at once, so nothing waits when
 * there is no contention (issue 7: "batching the D1 writes of concurrent
 * payments of a customer into one batch()").
 *
 * One transaction means one fate: if D1 refuses the batch (or its reply is
 * lost), every submitter in it sees the same error and settles its own
 * intent from D1's decision record — which is correct, since all or none of
 * the group committed.
 */
export interface CoalescerOptions {
  /** Most submissions per batch (each brings a few statements; D1 allows 1,000 queries per invocation). */
  maxGroup: number;
  /** How the batch is sent (the fault injection point wraps it). */
  send: (statements: D1PreparedStatement[]) => Promise<D1Result[]>;
}

interface Submission {
  statements: D1PreparedStatement[];
  resolve: (results: D1Result[]) => void;
  reject: (error: unknown) => void;
}

export class D1Coalescer {
  private readonly waiting: Submission[] = [];
  private sending = false;
  /** Batches sent and submissions carried, for the benchmark notes. */
  batches = 0;
  submissions = 0;

  constructor(private readonly options: CoalescerOptions) {}

  submit(statements: D1PreparedStatement[]): Promise<D1Result[]> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ statements, resolve, reject });
      if (!this.sending) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.sending = true;
    try {
      while (this.waiting.length > 0) {
        const group = this.waiting.splice(0, this.options.maxGroup);
        this.batches += 1;
        this.submissions += group.length;
        try {
          const results = await this.options.send(group.flatMap((s) => s.statements));
          let offset = 0;
          for (const s of group) {
            s.resolve(results.slice(offset, offset + s.statements.length));
            offset += s.statements.length;
          }
        } catch (error) {
          for (const s of group) s.reject(error);
        }
      }
    } finally {
      this.sending = false;
    }
  }
}
