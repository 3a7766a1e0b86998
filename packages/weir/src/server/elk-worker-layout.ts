/**
 * Runs elkjs in a worker thread. elkjs is Java compiled to JavaScript by GWT and lays out
 * synchronously: a 1,000-asset graph takes seconds with a cold JIT, which on the server's own
 * thread would stall every request and run update meanwhile. A worker per layout keeps the server
 * answering; layouts are rare (once per project structure), so the worker's start-up (about 100 ms)
 * is not worth pooling.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { ElkNode } from 'elkjs/lib/elk-api.js';
import { WeirError } from '@weir/core';

// Resolved here, from the weir package, so the worker finds elkjs whether it runs from src or dist.
const ELK_BUNDLE = createRequire(import.meta.url).resolve('elkjs/lib/elk.bundled.js');

// Evaluated as a CommonJS script (eval: true): no worker file to ship beside the compiled code.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ELK = require(workerData.bundle);
new ELK().layout(workerData.graph).then(
  (laid) => parentPort.postMessage({ laid }),
  (error) => parentPort.postMessage({ error: String((error && error.message) || error) }),
);
`;

/**
 * Lays out an ELK graph in a fresh worker thread and answers the laid-out graph.
 *
 * @example
 * ```ts
 * const laid = await layoutInWorker({ id: 'root', layoutOptions: { 'elk.algorithm': 'layered' }, children, edges });
 * console.log(laid.width, laid.children?.[0]?.x);
 * ```
 */
export function layoutInWorker(graph: ElkNode): Promise<ElkNode> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { bundle: ELK_BUNDLE, graph } });
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      outcome();
      void worker.terminate();
    };
    worker.once('message', (message: { laid?: ElkNode; error?: string }) =>
      settle(() => (message.laid ? resolve(message.laid) : reject(new WeirError('INTERNAL', `the graph layout failed: ${message.error ?? 'no answer'}`)))),
    );
    worker.once('error', (error) => settle(() => reject(new WeirError('INTERNAL', `the graph layout failed: ${error.message}`))));
    worker.once('exit', (code) => settle(() => reject(new WeirError('INTERNAL', `the graph layout's worker exited (${code}) without an answer`))));
  });
}
