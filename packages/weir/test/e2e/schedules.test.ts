/**
 * `weir schedules` the way a user drives it: `ls` shows the next fire times of each schedule in
 * its zone and in UTC, `pause` and `resume` change what `ls` shows (and what `weir serve` will
 * fire), and a bad cron expression stops weir with the schedule, the expression and weir.yaml:line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWeirProject, show, type WeirTestProject } from './weir-test-project.js';

const WEIR_YAML = `name: e2e_schedules
schedules:
  - name: nightly
    cron: "0 2 * * *"
    timezone: Europe/Berlin
    select: [orders+]
  - name: every_quarter_hour
    cron: "*/15 * * * *"
    select: orders
    paused: true
sensors:
  - name: keep_orders_fresh
    type: freshness
    asset: orders
    max_age: 1h
`;

interface FireTimeJson {
  utc: string;
  local: string;
}
interface ListingJson {
  schedules: Array<{ name: string; cron: string; timezone: string; paused: boolean; pausedBy: string; next: FireTimeJson[]; lastTick: FireTimeJson | null }>;
  sensors: Array<{ name: string; type: string; paused: boolean }>;
}

describe('weir schedules', () => {
  let project: WeirTestProject;
  beforeAll(async () => {
    project = await createWeirProject({ 'weir.yaml': WEIR_YAML, 'models/orders.sql': 'select 1 as id\n' });
  });
  afterAll(async () => {
    await project.cleanup();
  });

  it('ls shows the next three fire times in the schedule zone and in UTC', async () => {
    const before = Date.now();
    const result = await project.weir(['schedules', 'ls']);
    expect(result.code, show(result)).toBe(0);
    expect(result.stdout).toMatch(/nightly\s+0 2 \* \* \*\s+Europe\/Berlin\s+no\s+never/);
    expect(result.stdout).toMatch(/every_quarter_hour\s+\*\/15 \* \* \* \*\s+UTC\s+yes \(weir\.yaml\)\s+never/);
    expect(result.stdout).toMatch(/nightly: next fire times\n( {2}\d{4}-\d\d-\d\d 02:00 \+0[12]:00 {2}\(\d{4}-\d\d-\d\dT0[01]:00:00\.000Z\)\n){3}/);
    expect(result.stdout).toMatch(/keep_orders_fresh\s+freshness\s+30s\s+no\s+never/);

    const listing = await project.weirJson<ListingJson>(['schedules', 'ls', '--json']);
    const nightly = listing.schedules.find((schedule) => schedule.name === 'nightly')!;
    expect(nightly.next).toHaveLength(3);
    const instants = nightly.next.map((time) => Date.parse(time.utc));
    expect(instants[0]).toBeGreaterThan(before);
    // Daily at 02:00 Berlin time: consecutive ticks are a day apart, or 23/25 hours across a change.
    for (let i = 1; i < instants.length; i++) expect([23, 24, 25]).toContain((instants[i]! - instants[i - 1]!) / 3_600_000);
    const quarter = listing.schedules.find((schedule) => schedule.name === 'every_quarter_hour')!;
    expect(quarter.next.map((time) => new Date(time.utc).getUTCMinutes() % 15)).toEqual([0, 0, 0]);
    expect((Date.parse(quarter.next[1]!.utc) - Date.parse(quarter.next[0]!.utc)) / 60_000).toBe(15);
  });

  it('pause then ls shows it paused; resume shows it active; an unknown name is a usage error', async () => {
    const paused = await project.weir(['schedules', 'pause', 'nightly']);
    expect(paused.code, show(paused)).toBe(0);
    expect(paused.stdout).toContain('schedule "nightly" paused');
    const resumed = await project.weir(['schedules', 'resume', 'every_quarter_hour']);
    expect(resumed.stdout).toContain('schedule "every_quarter_hour" resumed');
    const sensor = await project.weir(['schedules', 'pause', 'keep_orders_fresh']);
    expect(sensor.stdout).toContain('sensor "keep_orders_fresh" paused');

    const ls = await project.weir(['schedules', 'ls']);
    expect(ls.stdout).toMatch(/nightly\s+0 2 \* \* \*\s+Europe\/Berlin\s+yes\s+never/);
    expect(ls.stdout).toContain('nightly: next fire times (paused: will not fire until resumed)');
    expect(ls.stdout).toMatch(/every_quarter_hour\s+\*\/15 \* \* \* \*\s+UTC\s+no \(resumed\)/);
    expect(ls.stdout).toMatch(/keep_orders_fresh\s+freshness\s+30s\s+yes/);
    const listing = await project.weirJson<ListingJson>(['schedules', 'ls', '--json']);
    expect(listing.schedules.map((schedule) => [schedule.name, schedule.paused, schedule.pausedBy])).toEqual([
      ['nightly', true, 'command'],
      ['every_quarter_hour', false, 'command'],
    ]);

    const unknown = await project.weir(['schedules', 'pause', 'nigthly']);
    expect(unknown.code, show(unknown)).toBe(2);
    expect(unknown.stderr).toContain('no schedule or sensor "nigthly" in weir.yaml');
    expect(unknown.stderr).toContain('did you mean "nightly"?');
  });

  it('an invalid cron expression stops weir with the schedule, the expression and weir.yaml:line', async () => {
    const broken = await createWeirProject({
      'weir.yaml': WEIR_YAML.replace('"0 2 * * *"', '"0 25 * * *"'),
      'models/orders.sql': 'select 1 as id\n',
    });
    try {
      for (const args of [['schedules', 'ls'], ['run']]) {
        const result = await broken.weir(args);
        expect(result.code, show(result)).toBe(2);
        expect(result.stderr).toContain('weir.yaml:4:11: schedule "nightly": invalid cron expression "0 25 * * *": invalid value for hour: 25');
      }
    } finally {
      await broken.cleanup();
    }
  });
});
