/**
 * A custom sensor (`sensors/<name>.ts`) driven through `weir serve` the way a user runs it: the
 * sensor hashes a file and asks for one run per new content (the hash is its cursor and its
 * dedupe key), so the run happens once per change; a throw is logged with its file and line and
 * the next change still runs; `weir schedules ls`, `pause` and `resume` see it; a broken sensor
 * file stops weir with its file and line.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createWeirProject, show, type BackgroundWeir, type RunJson, type WeirTestProject } from './weir-test-project.js';

const WATCH_SENSOR = `import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { defineSensor } from 'weir';

export const watch = defineSensor({
  select: 'marker_rows',
  interval: '1s',
  evaluate(ctx) {
    const file = ctx.env.WEIR_E2E_MARKER as string;
    if (!existsSync(file)) return { skipReason: 'no marker yet' };
    const text = readFileSync(file, 'utf8').trim();
    if (text === 'boom') throw new Error('the marker says boom');
    const hash = createHash('sha256').update(text).digest('hex').slice(0, 12);
    if (hash === ctx.cursor) {
      ctx.log(\`unchanged \${text}\`);
      return undefined;
    }
    return { cursor: hash, runRequests: [{ dedupeKey: hash, reason: \`the marker now says \${text}\` }] };
  },
});
`;

const projects: WeirTestProject[] = [];
afterEach(async () => {
  for (const project of projects.splice(0)) await project.cleanup();
});

async function sensedRuns(project: WeirTestProject): Promise<RunJson[]> {
  return (await project.weirJson<RunJson[]>(['runs', '--json'])).filter((run) => run.command === 'sensor:watch');
}

/** Waits until the sensor has looked at the marker `count` more times after what the server printed so far, finding `text` unchanged. */
async function seenUnchanged(server: BackgroundWeir, text: string, count = 2): Promise<void> {
  const before = server.stdout().split(`sensor:watch: unchanged ${text}`).length - 1;
  await server.waitForOutput(new RegExp(`(sensor:watch: unchanged ${text}[\\s\\S]*){${before + count}}`), 60_000);
}

describe('weir serve with a custom TypeScript sensor', () => {
  it('runs once per change of the watched file, survives a throwing evaluation, and pauses and resumes', async () => {
    const project = await createWeirProject({
      'weir.yaml': 'name: e2e_custom_sensor\n',
      'models/marker_rows.sql': 'select 1 as id\n',
      'sensors/watch.ts': WATCH_SENSOR,
    });
    projects.push(project);
    const marker = join(project.root, 'marker.txt');

    const listed = await project.weir(['schedules', 'ls']);
    expect(listed.code, show(listed)).toBe(0);
    expect(listed.stdout).toMatch(/watch\s+typescript \(sensors\/watch\.ts\)\s+1s\s+no\s+never/);

    const server = project.spawnWeir(['serve', '--port', '0'], { env: { WEIR_E2E_MARKER: marker } });
    await server.waitForOutput(/weir serve: project e2e_custom_sensor .* 1 schedule\(s\) and sensor\(s\)/);

    writeFileSync(marker, 'one\n');
    await server.waitForOutput(/sensor:watch: run r-\S+ succeeded/, 60_000);
    expect(server.stdout()).toContain('sensor:watch: queued a run (sensor "watch": the marker now says one)');
    // Evaluated again twice with nothing new: still one run.
    await seenUnchanged(server, 'one');
    expect((await sensedRuns(project)).map((run) => run.status)).toEqual(['succeeded']);

    // A throw is logged with where it happened; the loop goes on and the next change runs.
    writeFileSync(marker, 'boom\n');
    await server.waitForOutput(/sensor:watch: evaluation failed: sensor "watch" threw Error: the marker says boom \(sensors\/watch\.ts:12\)/, 60_000);
    // weir schedules ls says it is failing, and where.
    const failing = await project.weir(['schedules', 'ls']);
    expect(failing.stdout, show(failing)).toMatch(/watch: failing: its evaluation at \S+ failed: sensor "watch" threw Error: the marker says boom \(sensors\/watch\.ts:12\)/);
    const failingJson = JSON.parse((await project.weir(['schedules', 'ls', '--json'])).stdout) as { sensors: Array<{ failing: boolean; lastFailure: { line?: number } | null }> };
    expect(failingJson.sensors[0]).toMatchObject({ failing: true, lastFailure: { line: 12 } });
    writeFileSync(marker, 'two\n');
    await server.waitForOutput(/queued a run \(sensor "watch": the marker now says two\)/, 60_000);
    await seenUnchanged(server, 'two');
    // A later evaluation moved its cursor: no longer failing.
    const recovered = await project.weir(['schedules', 'ls']);
    expect(recovered.stdout, show(recovered)).not.toContain('failing');
    expect((await sensedRuns(project)).map((run) => run.status)).toEqual(['succeeded', 'succeeded']);

    // Paused, it is not evaluated; resumed, it sees what changed meanwhile, once.
    const paused = await project.weir(['schedules', 'pause', 'watch']);
    expect(paused.stdout, show(paused)).toContain('sensor "watch" paused');
    const listedPaused = await project.weir(['schedules', 'ls', '--json']);
    expect(JSON.parse(listedPaused.stdout).sensors).toMatchObject([{ name: 'watch', type: 'typescript', file: 'sensors/watch.ts', paused: true }]);
    writeFileSync(marker, 'three\n');
    const resumed = await project.weir(['schedules', 'resume', 'watch']);
    expect(resumed.stdout, show(resumed)).toContain('sensor "watch" resumed');
    await server.waitForOutput(/queued a run \(sensor "watch": the marker now says three\)/, 60_000);
    await seenUnchanged(server, 'three');
    const runs = await sensedRuns(project);
    expect(runs).toHaveLength(3);
    expect(server.stdout().match(/sensor:watch: queued a run/g)).toHaveLength(3);

    server.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
  });

  it('a broken sensor file stops weir with its file and line', async () => {
    const project = await createWeirProject({
      'weir.yaml': 'name: e2e_custom_sensor\nschedules:\n  - name: watch\n    cron: "0 2 * * *"\n    select: marker_rows\n',
      'models/marker_rows.sql': 'select 1 as id\n',
      'sensors/watch.ts': WATCH_SENSOR,
      'sensors/late.ts': "import { defineSensor } from 'weir';\n\nexport const late = defineSensor({ select: 'marker_rows', interval: 'whenever', evaluate: () => undefined });\n",
    });
    projects.push(project);
    const listed = await project.weir(['schedules', 'ls']);
    expect(listed.code, show(listed)).toBe(2);
    expect(listed.stderr).toContain('sensors/late.ts:3');
    expect(listed.stderr).toContain('interval "whenever" is not a duration');
    expect(listed.stderr).toContain('sensors/watch.ts:5');
    expect(listed.stderr).toContain('sensor "watch" has the same name as the schedule "watch" at weir.yaml:3');
  });
});
