/**
 * `weir schedules ls` lists the project's schedules (next fire times in their zone and in UTC,
 * paused state, last tick) and sensors; `weir schedules pause|resume <name>` records a pause or a
 * resume of a schedule or sensor, which `weir serve` reads on its next pass.
 */
import { hostname, userInfo } from 'node:os';
import type { Command } from 'commander';
import { listTriggers, newestSensorFailures, setTriggerPaused, stillFailing, WeirError } from '@weir/core';
import type { ExitBox } from '../cli.js';
import { EXIT } from '../cli-errors.js';
import { formatTable } from '../output/format-table.js';
import { printJson } from '../output/json-output.js';
import { withProject } from './command-options.js';

/** Registers `schedules ls`, `schedules pause` and `schedules resume`. */
export function registerSchedulesCommand(program: Command, exit: ExitBox): void {
  const schedules = program.command('schedules').description('list, pause and resume schedules and sensors (declared in weir.yaml)');

  schedules
    .command('ls')
    .description('list schedules with their next fire times, and sensors')
    .option('-n, --next <n>', 'how many next fire times to show', '3')
    .option('--json', 'print as JSON')
    .action(async (options: { next: string; json?: boolean }, command: Command) => {
      const count = Number(options.next);
      if (!Number.isInteger(count) || count < 1 || count > 100) throw new WeirError('USAGE', `--next must be a whole number from 1 to 100, not "${options.next}"`);
      exit.code = await withProject(command, async ({ project, store }) => {
        const listing = listTriggers(project, await store.triggerStates(), new Date(), count);
        const failures = await newestSensorFailures(store);
        if (options.json) {
          printJson({ ...listing, sensors: listing.sensors.map((sensor) => ({ ...sensor, lastFailure: failures.get(sensor.name) ?? null, failing: stillFailing(failures.get(sensor.name), sensor.updatedAt) })) });
          return EXIT.ok;
        }
        const out = (text: string): boolean => process.stdout.write(text);
        if (listing.schedules.length === 0 && listing.sensors.length === 0) {
          out('no schedules or sensors: declare them under schedules: and sensors: in weir.yaml, or write a sensor in sensors/<name>.ts\n');
          return EXIT.ok;
        }
        if (listing.schedules.length > 0) {
          const rows = listing.schedules.map((schedule) => ({
            name: schedule.name,
            cron: schedule.cron,
            timezone: schedule.timezone,
            paused: pausedText(schedule.paused, schedule.pausedBy),
            last_tick: schedule.lastTick ? `${schedule.lastTick.local} (${schedule.lastTick.utc})` : 'never',
          }));
          out(`Schedules\n${formatTable(rows, ['name', 'cron', 'timezone', 'paused', 'last_tick'])}\n`);
          // Fire times get their own lines: local and UTC side by side would not fit one table cell.
          for (const schedule of listing.schedules) {
            out(`\n${schedule.name}: next fire times${schedule.paused ? ' (paused: will not fire until resumed)' : ''}\n`);
            for (const time of schedule.next) out(`  ${time.local}  (${time.utc})\n`);
          }
        }
        if (listing.sensors.length > 0) {
          const rows = listing.sensors.map((sensor) => ({
            name: sensor.name,
            type: sensor.file === undefined ? sensor.type : `${sensor.type} (${sensor.file})`,
            every: `${sensor.intervalSeconds}s`,
            paused: pausedText(sensor.paused, sensor.pausedBy),
            last_change: sensor.updatedAt ?? 'never',
          }));
          out(`${listing.schedules.length > 0 ? '\n' : ''}Sensors\n${formatTable(rows, ['name', 'type', 'every', 'paused', 'last_change'])}\n`);
          // A failing sensor requests nothing: say so, with where its code failed.
          for (const sensor of listing.sensors) {
            const failure = failures.get(sensor.name);
            if (failure === undefined || !stillFailing(failure, sensor.updatedAt)) continue;
            const where = failure.file === undefined ? '' : ` (${failure.file}:${failure.line ?? 1})`;
            out(`\n${sensor.name}: failing: its evaluation at ${failure.at} failed: ${failure.message}${where}\n`);
          }
        }
        return EXIT.ok;
      });
    });

  for (const paused of [true, false]) {
    const verb = paused ? 'pause' : 'resume';
    schedules
      .command(`${verb} <name>`)
      .description(paused ? 'pause a schedule or sensor: it fires no more until resumed' : 'resume a schedule or sensor: a schedule counts ticks from now on')
      .action(async (name: string, _options: unknown, command: Command) => {
        exit.code = await withProject(command, async ({ project, store }) => {
          const { trigger, changed } = await setTriggerPaused(project, store, name, paused, { by: whoAmI(), now: new Date() });
          const what = `${trigger.kind} "${trigger.name}"`;
          process.stdout.write(changed ? `${what} ${paused ? 'paused' : 'resumed'}\n` : `${what} is already ${paused ? 'paused' : 'active'}\n`);
          return EXIT.ok;
        });
      });
  }
}

function pausedText(paused: boolean, by: 'weir.yaml' | 'command'): string {
  if (by === 'weir.yaml') return paused ? 'yes (weir.yaml)' : 'no';
  return paused ? 'yes' : 'no (resumed)';
}

/** Who paused or resumed, for the record: user@host, or the host alone when the system cannot tell. */
function whoAmI(): string {
  let user: string | undefined;
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER ?? process.env.USERNAME;
  }
  return user ? `${user}@${hostname()}` : hostname();
}
