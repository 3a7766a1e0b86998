import { describe, expect, it } from 'vitest';
import { GroupCommitQueue, type ItemOutcome } from './group-commit.js';

describe('GroupCommitQueue', () => {
  it('groups the submits of one tick, and the submits made during a commit', async () => {
    const groups: number[][] = [];
    let release: () => void = () => undefined;
    const queue = new GroupCommitQueue<number>(async (items) => {
      groups.push(items);
      if (groups.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return items.map(() => undefined);
    });
    const first = [1, 2, 3].map((n) => queue.submit(n));
    await Promise.resolve();
    await Promise.resolve();
    const during = [4, 5].map((n) => queue.submit(n));
    release();
    await Promise.all([...first, ...during]);
    expect(groups).toEqual([[1, 2, 3], [4, 5]]);
    await queue.idle();
  });

  it('rejects only the items the committer reports as failed', async () => {
    const queue = new GroupCommitQueue<number>(async (items) => items.map((n): ItemOutcome => (n % 2 === 0 ? new Error(`even ${n}`) : undefined)));
    const results = await Promise.allSettled([1, 2, 3].map((n) => queue.submit(n)));
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ message: 'even 2' });
  });

  it('rejects every item of a failed transaction and carries on with the next', async () => {
    let calls = 0;
    const queue = new GroupCommitQueue<number>(async (items) => {
      calls += 1;
      if (calls === 1) throw new Error('disk full');
      return items.map(() => undefined);
    });
    const failed = [queue.submit(1), queue.submit(2)];
    await expect(failed[0]).rejects.toThrow('disk full');
    await expect(failed[1]).rejects.toThrow('disk full');
    await expect(queue.submit(3)).resolves.toBeUndefined();
  });

  it('idle() waits for everything submitted', async () => {
    const done: number[] = [];
    const queue = new GroupCommitQueue<number>(async (items) => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      done.push(...items);
      return items.map(() => undefined);
    });
    void queue.submit(1);
    void queue.submit(2);
    await queue.idle();
    expect(done).toEqual([1, 2]);
  });
});
