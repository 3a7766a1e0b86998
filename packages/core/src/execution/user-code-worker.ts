/**
 * The worker-thread entry that runs one TypeScript asset. Everything the asset does with data goes
 * through messages to the executor (see `user-code-protocol.ts`).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import type { AssetContext, AssetPartition, AssetRow } from '../definitions/asset-definition.js';
import type { PartitionWindow } from '../partitions/partition-spec.js';
import { isAssetDefinition } from '../definitions/asset-definition.js';
import type { ReadPage, WorkerReply, WorkerRequest, WorkerStart } from './user-code-protocol.js';

const start = workerData as WorkerStart;
const port = parentPort;
if (!port) throw new Error('user-code-worker must run in a worker thread');

let nextId = 1;
const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
port.on('message', (reply: WorkerReply) => {
  const pending = waiting.get(reply.id);
  if (!pending) return;
  waiting.delete(reply.id);
  if (reply.ok) pending.resolve(reply.value);
  else pending.reject(new Error(reply.message));
});

/** A request that expects a reply, before it is given its id. */
type Question = Extract<WorkerRequest, { id: number }> extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

function ask<T>(request: Question): Promise<T> {
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
    port!.postMessage({ ...request, id } as WorkerRequest);
  });
}

const context: AssetContext = {
  asset: start.asset,
  runId: start.runId,
  sql: (query, params = []) => ask<AssetRow[]>({ type: 'sql', query, params }),
  async *read(input, options = {}) {
    let cursor: number | null = null;
    do {
      const page: ReadPage = await ask<ReadPage>({ type: 'read', input, batchSize: options.batchSize ?? 10_000, cursor });
      if (page.rows.length > 0) yield page.rows;
      cursor = page.cursor;
    } while (cursor !== null);
  },
  append: async (rows) => {
    await ask<null>({ type: 'append', rows });
  },
  log: (message) => port.postMessage({ type: 'log', message: String(message) } satisfies WorkerRequest),
  ...(start.partition === undefined ? {} : { partition: assetPartition(start.partition) }),
};

/** The partition as user code sees it: the window's bounds as `Date`s beside their text. */
function assetPartition(window: PartitionWindow): AssetPartition {
  if (window.kind === 'values') return Object.freeze({ kind: 'values', key: window.key, column: window.column, value: window.value });
  return Object.freeze({
    kind: 'time',
    key: window.key,
    column: window.column,
    granularity: window.granularity,
    start: new Date(window.startInstant),
    end: new Date(window.endInstant),
    startIso: window.startInstant,
    endIso: window.endInstant,
    localStart: window.localStart,
    localEnd: window.localEnd,
  });
}

/**
 * Resolves once everything user code wrote to stdout and stderr has reached the executor. A
 * worker's stdio is buffered and handed over in rounds; the executor terminates the worker soon
 * after `done` or `failed`, which would drop the last lines, often the ones explaining a failure.
 */
function flushOutput(): Promise<void> {
  // An empty write completes only after every write queued before it.
  const flush = (stream: NodeJS.WriteStream): Promise<void> => new Promise((resolve) => stream.write('', () => resolve()));
  return Promise.all([flush(process.stdout), flush(process.stderr)]).then(() => undefined);
}

async function runAsset(): Promise<void> {
  const module = (await import(pathToFileURL(start.modulePath).href)) as Record<string, unknown>;
  const definition = module[start.exportName];
  if (!isAssetDefinition(definition)) throw new Error(`export "${start.exportName}" is not a defineAsset(...) definition`);
  const returned = await definition.run(context);
  await flushOutput();
  port!.postMessage({ type: 'done', rows: Array.isArray(returned) ? returned : null } satisfies WorkerRequest);
}

runAsset().catch(async (error: unknown) => {
  const failure = error instanceof Error ? error : new Error(String(error));
  await flushOutput();
  port.postMessage({ type: 'failed', error: { name: failure.name, message: failure.message, stack: failure.stack } } satisfies WorkerRequest);
});
