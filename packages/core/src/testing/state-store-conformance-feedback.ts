/**
 * The part of the state store conformance suite about consumer feedback: the `feedback` projection
 * folded from `feedback_submitted` and `feedback_status_changed`, the filters of `feedback()`,
 * status changes that touch reports only, and malformed feedback refused before anything is
 * written. Registered by `describeStateStoreConformance`.
 */
import { expect, it } from 'vitest';
import type { FeedbackSubmittedEvent } from '../events/feedback-events.js';
import type { WeirEvent } from '../events/weir-event.js';
import type { StateStore } from '../storage/state-store.js';

/** What the cases need from the suite: a store on a fresh database, and another store on the same one. */
export interface FeedbackCasesContext {
  fresh(): Promise<StateStore>;
  /** A new store on the database of the last `fresh()`, as a restarted process opens it. */
  reopen(): Promise<StateStore>;
}

const base = Date.UTC(2026, 2, 3);
const t = (n: number): string => new Date(base + n * 60_000).toISOString();

function submitted(n: number, fields: Partial<FeedbackSubmittedEvent> & Pick<FeedbackSubmittedEvent, 'feedbackId' | 'kind'>): FeedbackSubmittedEvent {
  return { type: 'feedback_submitted', at: t(n), asset: 'orders', text: '', author: null, ...fields };
}

/**
 * Registers the feedback cases inside the caller's `describe`.
 *
 * @example
 * ```ts
 * describe('feedback', () => feedbackCases({ fresh, reopen }));
 * ```
 */
export function feedbackCases(context: FeedbackCasesContext): void {
  it('records ratings, comments and reports newest first; a report starts open and moves on in the same batch', async () => {
    const store = await context.fresh();
    expect(await store.feedback()).toEqual([]);
    await store.append([
      submitted(0, { feedbackId: 'f1', kind: 'rating', rating: 4, author: 'ann' }),
      submitted(1, { feedbackId: 'f2', kind: 'comment', text: 'Amounts are in euros, not cents.', author: 'bob' }),
      submitted(2, { feedbackId: 'f3', kind: 'report', rating: 2, text: 'Order 17 is missing since Monday.', author: null }),
      { type: 'feedback_status_changed', at: t(3), feedbackId: 'f3', asset: 'orders', status: 'acknowledged', by: 'owner' },
    ]);
    expect(await store.feedback()).toEqual([
      {
        feedbackId: 'f3', asset: 'orders', kind: 'report', rating: 2, text: 'Order 17 is missing since Monday.', author: null, createdAt: t(2),
        status: 'acknowledged', statusNote: null, statusBy: 'owner', statusAt: t(3), eventId: 3,
      },
      {
        feedbackId: 'f2', asset: 'orders', kind: 'comment', rating: null, text: 'Amounts are in euros, not cents.', author: 'bob', createdAt: t(1),
        status: null, statusNote: null, statusBy: null, statusAt: null, eventId: 2,
      },
      { feedbackId: 'f1', asset: 'orders', kind: 'rating', rating: 4, text: '', author: 'ann', createdAt: t(0), status: null, statusNote: null, statusBy: null, statusAt: null, eventId: 1 },
    ]);
    await store.append([{ type: 'feedback_status_changed', at: t(4), feedbackId: 'f3', asset: 'orders', status: 'resolved', note: 'reloaded from the shop', by: null }]);
    expect(await store.feedback({ feedbackId: 'f3' })).toEqual([expect.objectContaining({ status: 'resolved', statusNote: 'reloaded from the shop', statusBy: null, statusAt: t(4) })]);
    // The asset's history in the log holds both status changes.
    expect((await store.events({ asset: 'orders' })).map((event) => event.type)).toEqual([
      'feedback_submitted', 'feedback_submitted', 'feedback_submitted', 'feedback_status_changed', 'feedback_status_changed',
    ]);
  });

  it('filters by asset, status, kind and id, and limits to the newest', async () => {
    const store = await context.fresh();
    await store.append([
      submitted(0, { feedbackId: 'a', kind: 'report', text: 'late' }),
      submitted(1, { feedbackId: 'b', asset: 'revenue', kind: 'report', text: 'negative totals' }),
      submitted(2, { feedbackId: 'c', asset: 'revenue', kind: 'comment', text: 'thanks' }),
      submitted(3, { feedbackId: 'd', kind: 'report', text: 'duplicates' }),
      { type: 'feedback_status_changed', at: t(4), feedbackId: 'a', asset: 'orders', status: 'resolved', by: 'owner' },
    ]);
    const ids = async (query: Parameters<StateStore['feedback']>[0]) => (await store.feedback(query)).map((record) => record.feedbackId);
    expect(await ids({ asset: 'orders' })).toEqual(['d', 'a']);
    expect(await ids({ status: 'open' })).toEqual(['d', 'b']);
    expect(await ids({ status: 'open', asset: 'revenue' })).toEqual(['b']);
    expect(await ids({ kind: 'comment' })).toEqual(['c']);
    expect(await ids({ feedbackId: 'c' })).toEqual(['c']);
    expect(await ids({ feedbackId: 'nope' })).toEqual([]);
    expect(await ids({ limit: 2 })).toEqual(['d', 'c']);
    await expect(store.feedback({ limit: -1 })).rejects.toMatchObject({ code: 'USAGE' });
  });

  it('moves only reports: a status change of a comment or an unknown id changes nothing', async () => {
    const store = await context.fresh();
    await store.append([
      submitted(0, { feedbackId: 'c1', kind: 'comment', text: 'nice' }),
      { type: 'feedback_status_changed', at: t(1), feedbackId: 'c1', asset: 'orders', status: 'resolved', by: 'owner' },
      { type: 'feedback_status_changed', at: t(2), feedbackId: 'ghost', asset: 'orders', status: 'resolved', by: 'owner' },
    ]);
    expect(await store.feedback()).toEqual([expect.objectContaining({ feedbackId: 'c1', status: null, statusBy: null, statusAt: null })]);
  });

  it('refuses malformed feedback and a second submission of one id, writing nothing of the caller', async () => {
    const store = await context.fresh();
    await store.append([submitted(0, { feedbackId: 'ok', kind: 'rating', rating: 5 })]);
    const bad: unknown[] = [
      submitted(1, { feedbackId: 'x', kind: 'rating' }),
      submitted(1, { feedbackId: 'x', kind: 'rating', rating: 6 }),
      submitted(1, { feedbackId: 'x', kind: 'rating', rating: 2.5 }),
      submitted(1, { feedbackId: 'x', kind: 'report', text: '   ' }),
      submitted(1, { feedbackId: 'x', kind: 'comment', text: 'é'.repeat(2001) }),
      submitted(1, { feedbackId: 'x', kind: 'praise' as never, text: 'hi' }),
      submitted(1, { feedbackId: '', kind: 'comment', text: 'hi' }),
      { type: 'feedback_status_changed', at: t(1), feedbackId: 'ok', asset: 'orders', status: 'closed', by: null },
      { type: 'feedback_status_changed', at: t(1), feedbackId: 'ok', asset: 'orders', status: 'resolved', note: 'n'.repeat(1001), by: null },
    ];
    for (const event of bad) await expect(store.append([event as WeirEvent]), JSON.stringify(event).slice(0, 120)).rejects.toMatchObject({ name: 'WeirError' });
    // The same id twice: the whole caller is refused, its other event included.
    await expect(store.append([submitted(2, { feedbackId: 'new', kind: 'comment', text: 'fine' }), submitted(3, { feedbackId: 'ok', kind: 'comment', text: 'again' })])).rejects.toThrow();
    expect((await store.events()).map((event) => event.type)).toEqual(['feedback_submitted']);
    expect((await store.feedback()).map((record) => record.feedbackId)).toEqual(['ok']);
    // 2000 characters (of two UTF-16 units each) is within the limit.
    await store.append([submitted(4, { feedbackId: 'long', kind: 'comment', text: '😀'.repeat(2000) })]);
    expect((await store.feedback({ feedbackId: 'long' }))[0]?.text).toHaveLength(4000);
  });

  it('keeps feedback across reopening', async () => {
    const store = await context.fresh();
    await store.append([submitted(0, { feedbackId: 'r', kind: 'report', text: 'stale since Friday', author: 'dash' })]);
    await store.close();
    const reopened = await context.reopen();
    expect(await reopened.feedback({ status: 'open' })).toEqual([expect.objectContaining({ feedbackId: 'r', author: 'dash', createdAt: t(0) })]);
  });
}
