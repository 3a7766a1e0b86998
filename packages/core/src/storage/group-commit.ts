/**
 * Group commit: appends that arrive while a transaction is being committed wait and are written
 * together by the next one, so a busy run pays one commit (one fsync) per batch of events, not per
 * event. Each caller still learns the fate of its own items.
 */

/** What the committer reports for each item of a transaction: undefined when it was written. */
export type ItemOutcome = Error | undefined;

/**
 * Commits everything given to it in one transaction. Returns one outcome per item, in order, when
 * the transaction committed (an item that failed was rolled back alone); throws when the
 * transaction as a whole failed, which fails every item in it.
 */
export type CommitItems<T> = (items: T[]) => Promise<ItemOutcome[]>;

interface Waiting<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Queues items and commits them in groups, one transaction at a time.
 *
 * @example
 * ```ts
 * const queue = new GroupCommitQueue<WeirEvent[]>(async (batches) => writeAll(batches));
 * await Promise.all([queue.submit(a), queue.submit(b)]); // one transaction
 * ```
 */
export class GroupCommitQueue<T> {
  private readonly commitItems: CommitItems<T>;
  private waiting: Array<Waiting<T>> = [];
  private draining: Promise<void> | undefined;

  constructor(commitItems: CommitItems<T>) {
    this.commitItems = commitItems;
  }

  /**
   * Queues one item; resolves once its transaction committed, rejects with the item's own error or
   * the transaction's. Items submitted in the same tick always share a transaction.
   */
  submit(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      // Start on a microtask, not now, so every submit of the current tick joins the first group.
      this.draining ??= Promise.resolve().then(() => this.drain());
    });
  }

  /** Resolves once every item submitted so far has been committed or has failed. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        const group = this.waiting;
        this.waiting = [];
        let outcomes: ItemOutcome[];
        try {
          outcomes = await this.commitItems(group.map((entry) => entry.item));
        } catch (error) {
          for (const entry of group) entry.reject(error);
          continue;
        }
        group.forEach((entry, index) => {
          const outcome = outcomes[index];
          if (outcome === undefined) entry.resolve();
          else entry.reject(outcome);
        });
      }
    } finally {
      this.draining = undefined;
    }
  }
}
