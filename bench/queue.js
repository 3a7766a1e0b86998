/**
 * Benchmark 9: the run/step queue (`packages/core/src/queue`) on PostgreSQL against
 * graphile-worker's raw job throughput, measured in the same run on the same server.
 *
 * No fixed target (issue #5 asks for "steps per second and latency from ready to started, against
 * graphile-worker's raw job throughput measured in the same run"). Each system gets a database of
 * its own, created here and dropped afterwards, and two phases:
 *
 * - **backlog**: N no-op jobs (default 10,000) are enqueued first (timed apart), then 4 workers
 *   in this process drain them. Weir: 4 async loops, each with its own queue and its own
 *   connection, claiming one job at a time (as graphile-worker's workers do) and completing it.
 *   graphile-worker: `run` with concurrency 4 and a no-op task. The clock runs from starting the
 *   workers until the last job is done; jobs/s = N / that time. Latency ready -> started in this
 *   phase is mostly the job's place in the backlog, so it is printed for information only.
 * - **trickle**: with the 4 workers idle, jobs are enqueued one at a time, every 10 ms (well
 *   below capacity), and each job's latency from ready (enqueued) to started (the task has it in
 *   hand) is recorded: p50 and p95. Both are woken by LISTEN/NOTIFY (Weir: an idle worker waits
 *   in `queue.waitForJobs(WEIR_BENCH_QUEUE_POLL_MS)`, default 1,000 ms, between empty claims).
 *
 * A Weir worker in the backlog phase also claims in batches of 10 (`claim(limit: 10)`), printed
 * as a second, informational row: what a worker running several steps at once would see.
 *
 * Variables: WEIR_BENCH_QUEUE_JOBS (default 10,000), WEIR_BENCH_QUEUE_TRICKLE (default 300),
 * WEIR_BENCH_QUEUE_POLL_MS (default 10), WEIR_TEST_POSTGRES_URL. Without a server the bench says
 * so and is skipped.
 *
 * Usage: node bench/queue.js (after `npm run build`).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Logger, makeWorkerUtils, run } from 'graphile-worker';
import { formatMs, formatRatio, formatTable, importCore, isMain } from './lib/measure.js';

const { openPostgresJobQueue } = await importCore('queue/postgres/open-postgres-job-queue.js');
const { postgresAvailable } = await importCore('testing/services.js');

const JOBS = Number(process.env.WEIR_BENCH_QUEUE_JOBS ?? 10_000);
const TRICKLE = Number(process.env.WEIR_BENCH_QUEUE_TRICKLE ?? 300);
const POLL_MS = Number(process.env.WEIR_BENCH_QUEUE_POLL_MS ?? 1000);
const WORKERS = 4;
const TRICKLE_EVERY_MS = 10;
const TIMEOUT_MS = 300_000;
const SERVER = process.env.WEIR_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const quietLogger = new Logger(() => () => undefined);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function onServer(text) {
  const client = new pg.Client({ connectionString: SERVER });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** A fresh database for `work`, dropped afterwards whatever happens. */
async function withDatabase(prefix, work) {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  await onServer(`CREATE DATABASE "${name}"`);
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  try {
    return await work(url.toString());
  } finally {
    await onServer(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function withTimeout(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Weir: enqueue N, then 4 workers claiming `batch` at a time drain them; then the trickle phase. */
async function benchWeir(url, batch, { trickle }) {
  const setup = await openPostgresJobQueue(url, { schema: 'weir_state' });
  const workers = await Promise.all(Array.from({ length: WORKERS }, () => openPostgresJobQueue(url, { schema: 'weir_state', maxConnections: 1 })));
  try {
    const enqueueStarted = performance.now();
    for (let start = 0; start < JOBS; start += 1000) {
      await setup.enqueueMany(Array.from({ length: Math.min(1000, JOBS - start) }, (_, i) => ({ kind: 'noop', payload: { i: start + i } })));
    }
    const enqueueMs = performance.now() - enqueueStarted;

    const backlogLatency = [];
    let done = 0;
    let stopping = false;
    let latencies = backlogLatency;
    const loops = workers.map(async (queue, index) => {
      const worker = `bench-${index}`;
      while (!stopping) {
        const jobs = await queue.claim(worker, { limit: batch });
        const inHand = Date.now();
        if (jobs.length === 0) {
          await queue.waitForJobs(POLL_MS);
          continue;
        }
        for (const job of jobs) {
          latencies.push(inHand - job.readyAt.getTime());
          await queue.complete(job);
          done += 1;
        }
      }
    });
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    await withTimeout(
      (async () => {
        while (done < JOBS) await sleep(2);
      })(),
      'weir backlog',
    );
    const ms = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);

    let trickleLatency = [];
    if (trickle) {
      latencies = trickleLatency;
      const target = done + TRICKLE;
      for (let i = 0; i < TRICKLE; i++) {
        await setup.enqueue({ kind: 'noop', payload: { trickle: i } });
        await sleep(TRICKLE_EVERY_MS);
      }
      await withTimeout(
        (async () => {
          while (done < target) await sleep(2);
        })(),
        'weir trickle',
      );
    }
    stopping = true;
    await Promise.all(loops);
    return { ms, enqueueMs, rate: (JOBS * 1000) / ms, backlogLatency, trickleLatency, cpuPerJobMs: (cpu.user + cpu.system) / 1000 / JOBS };
  } finally {
    for (const queue of [setup, ...workers]) await queue.close();
  }
}

/** graphile-worker: addJobs N, then `run` with concurrency 4 and a no-op task; then the trickle phase. */
async function benchGraphile(url) {
  // Our own pool, ended by us: graphile-worker's own pool can still hold an idle connection when
  // the database is dropped, and its 'error' event then has no listener.
  const pgPool = new pg.Pool({ connectionString: url, max: WORKERS + 2 });
  pgPool.on('error', () => undefined);
  pgPool.on('connect', (client) => client.on('error', () => undefined));
  try {
    return await benchGraphileOn(pgPool);
  } finally {
    await pgPool.end();
  }
}

async function benchGraphileOn(pgPool) {
  const utils = await makeWorkerUtils({ pgPool, logger: quietLogger });
  try {
    await utils.migrate();
    const enqueueStarted = performance.now();
    for (let start = 0; start < JOBS; start += 1000) {
      await utils.addJobs(Array.from({ length: Math.min(1000, JOBS - start) }, (_, i) => ({ identifier: 'noop', payload: { i: start + i } })));
    }
    const enqueueMs = performance.now() - enqueueStarted;

    const backlogLatency = [];
    let latencies = backlogLatency;
    let done = 0;
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const runner = await run({
      pgPool,
      concurrency: WORKERS,
      noHandleSignals: true,
      pollInterval: 1000,
      logger: quietLogger,
      taskList: {
        noop: async (_payload, helpers) => {
          latencies.push(Date.now() - new Date(helpers.job.run_at).getTime());
          done += 1;
        },
      },
    });
    try {
      await withTimeout(
        (async () => {
          while (done < JOBS) await sleep(2);
        })(),
        'graphile-worker backlog',
      );
      const ms = performance.now() - started;
      const cpu = process.cpuUsage(cpuBefore);
      const trickleLatency = [];
      latencies = trickleLatency;
      const target = done + TRICKLE;
      for (let i = 0; i < TRICKLE; i++) {
        await utils.addJob('noop', { trickle: i });
        await sleep(TRICKLE_EVERY_MS);
      }
      await withTimeout(
        (async () => {
          while (done < target) await sleep(2);
        })(),
        'graphile-worker trickle',
      );
      return { ms, enqueueMs, rate: (JOBS * 1000) / ms, backlogLatency, trickleLatency, cpuPerJobMs: (cpu.user + cpu.system) / 1000 / JOBS };
    } finally {
      await runner.stop();
    }
  } finally {
    await utils.release();
  }
}

function rate(perSecond) {
  return `${Math.round(perSecond).toLocaleString('en')} jobs/s`;
}

function latencyText(values) {
  return values.length === 0 ? '-' : `${formatMs(percentile(values, 50))} / ${formatMs(percentile(values, 95))}`;
}

/**
 * Runs the queue benchmark: Weir's PostgreSQL queue against graphile-worker on the same server.
 *
 * @example
 * ```js
 * const rows = await runQueueBench();
 * ```
 */
export async function runQueueBench({ log = console.log } = {}) {
  log(`== run queue: ${JOBS.toLocaleString('en')} no-op jobs through ${WORKERS} workers on PostgreSQL, weir's queue vs graphile-worker 0.17 (one database each, dropped afterwards)`);
  if (!(await postgresAvailable(SERVER))) {
    log(`   skipped: PostgreSQL at ${SERVER} does not answer`);
    return [{ bench: 'queue', measure: 'jobs/s, 4 workers', value: 'skipped', baseline: '-', ratio: undefined, target: '(info)' }];
  }
  const weir = await withDatabase('weir_bench_queue', (url) => benchWeir(url, 1, { trickle: true }));
  const weirBatched = await withDatabase('weir_bench_queue', (url) => benchWeir(url, 10, { trickle: false }));
  const graphile = await withDatabase('weir_bench_graphile', (url) => benchGraphile(url));
  log('');
  log(
    formatTable(
      ['system', 'enqueue', 'drain', 'jobs/s', 'node CPU/job', 'backlog ready->started p50 / p95', `trickle ready->started p50 / p95`],
      [
        ['weir, claim 1', formatMs(weir.enqueueMs), formatMs(weir.ms), Math.round(weir.rate).toLocaleString('en'), formatMs(weir.cpuPerJobMs), latencyText(weir.backlogLatency), latencyText(weir.trickleLatency)],
        ['weir, claim 10', formatMs(weirBatched.enqueueMs), formatMs(weirBatched.ms), Math.round(weirBatched.rate).toLocaleString('en'), formatMs(weirBatched.cpuPerJobMs), latencyText(weirBatched.backlogLatency), '-'],
        ['graphile-worker', formatMs(graphile.enqueueMs), formatMs(graphile.ms), Math.round(graphile.rate).toLocaleString('en'), formatMs(graphile.cpuPerJobMs), latencyText(graphile.backlogLatency), latencyText(graphile.trickleLatency)],
      ],
    ),
  );
  const ratio = weir.rate / graphile.rate;
  log(`   weir / graphile-worker: ${formatRatio(ratio)} the jobs/s claiming one at a time, ${formatRatio(weirBatched.rate / graphile.rate)} claiming 10 at a time (higher is better)`);
  log(`   trickle (one job every ${TRICKLE_EVERY_MS} ms, ${TRICKLE} jobs): idle workers of both are woken by LISTEN/NOTIFY`);
  return [
    { bench: 'queue', measure: `${JOBS.toLocaleString('en')} jobs, 4 workers, claim 1`, value: rate(weir.rate), baseline: `${rate(graphile.rate)} (graphile-worker)`, ratio, target: '(info)' },
    { bench: 'queue', measure: `${JOBS.toLocaleString('en')} jobs, 4 workers, claim 10`, value: rate(weirBatched.rate), baseline: `${rate(graphile.rate)} (graphile-worker)`, ratio: weirBatched.rate / graphile.rate, target: '(info)' },
    {
      bench: 'queue',
      measure: 'ready -> started p50 / p95, idle workers',
      value: latencyText(weir.trickleLatency),
      baseline: `${latencyText(graphile.trickleLatency)} (graphile-worker)`,
      ratio: percentile(weir.trickleLatency, 50) / percentile(graphile.trickleLatency, 50),
      target: '(info)',
    },
  ];
}

if (isMain(import.meta.url)) await runQueueBench();
