/**
 * Benchmark: scheduler overhead with 1,000 schedules (issue #5).
 *
 * `weir serve` runs one trigger pass (`TriggerEvaluator.evaluate`) every second, so what one pass
 * costs with many schedules is what the scheduler costs while nothing happens. A project with
 * 1,000 schedules (varied cron patterns: every few minutes to monthly, 5 and 6 fields, nicknames;
 * ten time zones, including 30- and 45-minute offsets and zones with daylight saving; both
 * missed-tick policies) is loaded from a temp folder by `loadProject`, with the real SQLite state
 * store. Measured, each the median of several passes:
 * - a pass with none due, right after the schedules started counting (10 s later);
 * - a pass with all due (the clock moved 32 days on, so every schedule has missed ticks);
 * - a pass with none due after that (one second after every schedule ticked): the steady state
 *   of a running server, where each schedule's last tick lies anywhere from minutes to a month back;
 * - a pass with every schedule due exactly once, on time (each one's last tick set to just before
 *   its newest tick): what a pass costs per schedule that fires;
 * - `nextFireTimes` of every schedule, 3 each, as `weir schedules ls` lists them.
 *
 * Baseline, measured in the same run: croner alone computing the next run of the same 1,000
 * patterns (`Cron` objects built beforehand), plus one `store.triggerStates()` read, the least a
 * pass must do: read the state, and ask each schedule's pattern once.
 *
 * Usage: node bench/schedules.js (after `npm run build`).
 */
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Cron } from 'croner';
import { seededRandom } from './lib/generate-view-project.js';
import { formatMs, formatRatio, importCore, isMain, median, withScratch } from './lib/measure.js';

const SCHEDULES = 1_000;
const SAMPLES = 15;
/** A pass with every schedule catching up is slower: fewer samples of it. */
const ALL_DUE_SAMPLES = 3;
const START = '2026-03-10T10:07:30Z';
/** Far enough on that every schedule (the sparsest fire monthly) has ticks due. */
const ALL_DUE_AFTER_MS = 32 * 24 * 3600_000;

const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'America/Sao_Paulo', 'Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'Pacific/Chatham', 'Asia/Tokyo', 'Africa/Cairo'];

const { loadProject } = await importCore('project/load-project.js');
const { buildAssetGraph } = await importCore('graph/build-asset-graph.js');
const { openSqliteStateStore } = await importCore('storage/sqlite/open-sqlite-state-store.js');
const { TriggerEvaluator } = await importCore('orchestration/trigger-evaluator.js');
const { ManualClock } = await importCore('orchestration/clock.js');
const { dueScheduleTicks, nextFireTimes } = await importCore('orchestration/schedule-ticks.js');

/** 1,000 distinct patterns of a dozen shapes, minutes and hours drawn at random (seeded). */
function schedulePatterns(random) {
  const pick = (n) => Math.floor(random() * n);
  const shapes = [
    () => `*/${[5, 10, 15, 20, 30][pick(5)]} ${pick(24)}-23 * * *`,
    () => `${pick(60)} * * * *`,
    () => `${pick(60)} */${2 + pick(5)} * * *`,
    () => `${pick(60)} ${pick(24)} * * *`,
    () => `${pick(60)} ${pick(24)} * * 1-5`,
    () => `${pick(60)} ${pick(24)} * * ${pick(7)}`,
    () => `${pick(60)} ${pick(24)} ${1 + pick(28)} * *`,
    () => `${pick(60)} ${pick(12)},${12 + pick(12)} * * *`,
    () => `${pick(60)} ${pick(24)} */${2 + pick(5)} * *`,
    () => `${pick(60)} ${pick(60)} ${pick(24)} * * *`,
    () => ['@hourly', '@daily', '@weekly', '@monthly'][pick(4)],
  ];
  return Array.from({ length: SCHEDULES }, () => shapes[pick(shapes.length)]());
}

function weirYaml(patterns, random) {
  const lines = ['name: schedules_bench', 'schedules:'];
  patterns.forEach((pattern, index) => {
    lines.push(`  - name: s${index}`, `    cron: "${pattern}"`, `    timezone: ${ZONES[index % ZONES.length]}`, '    select: [orders]');
    if (random() < 0.3) lines.push('    missed: catch_up', '    max_catch_up: 3');
  });
  return `${lines.join('\n')}\n`;
}

/** Median wall time of `work` over `samples` calls after a first one, whose time is `first`. */
async function timedWithFirst(work, samples = SAMPLES) {
  const times = [];
  for (let sample = 0; sample <= samples; sample++) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  return { first: times[0], median: median(times.slice(1)) };
}

/** Median wall time of `work` over `samples` calls (after one warm-up call). */
async function timed(work, samples = SAMPLES) {
  return (await timedWithFirst(work, samples)).median;
}

/**
 * Measures the passes and returns summary rows `{ bench, measure, value, baseline, ratio, target }`.
 *
 * @example
 * ```js
 * const rows = await runSchedulesBench();
 * ```
 */
export async function runSchedulesBench({ log = console.log } = {}) {
  log(`== scheduler overhead: ${SCHEDULES.toLocaleString('en')} schedules, one trigger pass (TriggerEvaluator.evaluate), SQLite state store`);
  return withScratch('weir-bench-schedules-', async (dir) => {
    const random = seededRandom(7);
    const patterns = schedulePatterns(random);
    await writeFile(join(dir, 'weir.yaml'), weirYaml(patterns, random));
    await mkdir(join(dir, 'models'));
    await writeFile(join(dir, 'models', 'orders.sql'), 'select 1 as id\n');
    const loadStarted = performance.now();
    const project = await loadProject(dir);
    const loadMs = performance.now() - loadStarted;
    if (project.schedules.length !== SCHEDULES) throw new Error(`loaded ${project.schedules.length} schedules, expected ${SCHEDULES}`);
    const store = await openSqliteStateStore(join(dir, 'state.db'));
    try {
      const clock = new ManualClock(START);
      const evaluator = new TriggerEvaluator({ project, graph: buildAssetGraph(project), store, clock });
      const coldStarted = performance.now();
      const first = await evaluator.evaluate();
      const firstMs = performance.now() - coldStarted;
      await store.append(first.events);

      clock.set(new Date(Date.parse(START) + 10_000));
      const noneDue = await timedWithFirst(async () => {
        const { requests } = await evaluator.evaluate();
        if (requests.length !== 0) throw new Error(`${requests.length} ticks due 10 s after starting`);
      });
      const noneDueMs = noneDue.median;

      const allDueAt = Date.parse(START) + ALL_DUE_AFTER_MS;
      clock.set(new Date(allDueAt));
      let dueRequests = 0;
      let dueEvents = [];
      const allDueMs = await timed(async () => {
        const { requests, events } = await evaluator.evaluate();
        const fired = new Set(requests.map((request) => request.trigger));
        if (fired.size !== SCHEDULES) throw new Error(`${fired.size} schedules due after 32 days, expected all ${SCHEDULES}`);
        dueRequests = requests.length;
        dueEvents = events;
      }, ALL_DUE_SAMPLES);

      await store.append(dueEvents);
      clock.set(new Date(allDueAt + 1_000));
      const steadyMs = await timed(async () => {
        const { requests } = await evaluator.evaluate();
        if (requests.length !== 0) throw new Error(`${requests.length} ticks due one second after every schedule ticked`);
      });

      // Every schedule due once, on time: each schedule's last tick set to just before its newest
      // tick up to `onTime`, so exactly that tick is due (what a pass costs per schedule firing).
      const onTime = allDueAt + 7 * 24 * 3600_000;
      const newest = project.schedules.map((schedule) => dueScheduleTicks({ ...schedule, missed: 'skip' }, new Date(START), new Date(onTime))[0]);
      await store.append(
        project.schedules.map((schedule, index) => ({
          type: 'schedule_ticked', at: new Date(onTime).toISOString(), schedule: schedule.name,
          tick: new Date(newest[index].getTime() - 1).toISOString(), dedupeKey: `bench:${schedule.name}`,
        })),
      );
      clock.set(new Date(onTime));
      const onTimeMs = await timed(async () => {
        const { requests } = await evaluator.evaluate();
        if (requests.length !== SCHEDULES) throw new Error(`${requests.length} ticks due on time, expected one per schedule`);
      }, ALL_DUE_SAMPLES);

      const now = clock.now();
      const fireTimesMs = await timed(() => {
        for (const schedule of project.schedules) nextFireTimes(schedule, now, 3);
      });

      // Baseline: the state read plus croner asked once per pattern.
      const crons = project.schedules.map((schedule) => new Cron(schedule.cron, { timezone: schedule.timezone, paused: true, domAndDow: false }));
      const cronerMs = await timed(() => {
        for (const cron of crons) cron.nextRun(now);
      });
      const cronerThreeMs = await timed(() => {
        for (const cron of crons) cron.nextRuns(3, now);
      });
      const statesMs = await timed(() => store.triggerStates());
      const baseline = cronerMs + statesMs;

      const us = (ms) => `${((ms * 1000) / SCHEDULES).toFixed(1)} us/schedule`;
      log(`  project: ${SCHEDULES.toLocaleString('en')} schedules (${new Set(patterns).size} distinct patterns, ${ZONES.length} time zones), loaded in ${formatMs(loadMs)}`);
      log(`  baseline: one triggerStates() read ${formatMs(statesMs)} + croner nextRun of every pattern ${formatMs(cronerMs)} = ${formatMs(baseline)} (${us(baseline)})`);
      log(`  first pass (croner patterns compiled, ${first.events.length} schedule_started): ${formatMs(firstMs)}`);
      log(`  first pass after the schedules started (each asks croner for its next tick once): ${formatMs(noneDue.first)}`);
      log(`  pass, none due (10 s after start):           ${formatMs(noneDueMs)}  ${us(noneDueMs)}  ${formatRatio(noneDueMs / baseline)} the baseline`);
      log(`  pass, all due (32 days on, ${dueRequests} ticks):     ${formatMs(allDueMs)}  ${us(allDueMs)}  ${formatRatio(allDueMs / baseline)} the baseline`);
      log(`  pass, every schedule due once, on time:      ${formatMs(onTimeMs)}  ${us(onTimeMs)}  ${formatRatio(onTimeMs / baseline)} the baseline`);
      log(`  pass, none due (1 s after all ticked):       ${formatMs(steadyMs)}  ${us(steadyMs)}  ${formatRatio(steadyMs / baseline)} the baseline`);
      log(`  nextFireTimes x3 of every schedule:          ${formatMs(fireTimesMs)}  ${us(fireTimesMs)}  ${formatRatio(fireTimesMs / cronerThreeMs)} croner's nextRuns(3) alone (${formatMs(cronerThreeMs)})`);
      log(`  a pass every second costs ${((steadyMs / 1000) * 100).toFixed(2)}% of one core while nothing is due`);
      return [
        { bench: 'schedules', measure: `pass, none due, ${SCHEDULES} schedules`, value: `${formatMs(steadyMs)} (${us(steadyMs)})`, baseline: formatMs(baseline), ratio: steadyMs / baseline, target: '-' },
        { bench: 'schedules', measure: `pass, ${SCHEDULES} due on time`, value: `${formatMs(onTimeMs)} (${us(onTimeMs)})`, baseline: formatMs(baseline), ratio: onTimeMs / baseline, target: '-' },
        { bench: 'schedules', measure: `pass, all due (catch-up), ${SCHEDULES} schedules`, value: `${formatMs(allDueMs)} (${us(allDueMs)})`, baseline: formatMs(baseline), ratio: allDueMs / baseline, target: '-' },
        { bench: 'schedules', measure: `nextFireTimes x3, ${SCHEDULES} schedules`, value: formatMs(fireTimesMs), baseline: formatMs(cronerThreeMs), ratio: fireTimesMs / cronerThreeMs, target: '-' },
      ];
    } finally {
      await store.close();
    }
  });
}

if (isMain(import.meta.url)) await runSchedulesBench();
