/**
 * Stream sources as a user drives them, on Redis (the simplest broker to feed from a test): a run
 * drains the stream into the landing table and publishes it, malformed messages become dead
 * letters that `weir deadletter` shows and replays, the schema policies (evolve, freeze,
 * discard_row) decide what a changed record does, broken connections and unset variables fail
 * clearly, and `weir ingest --follow` consumes continuously and publishes as it goes.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { redisService, testRedisUrl } from '../../../core/src/testing/broker-services.js';
import { describeWithService } from '../../../core/src/testing/services.js';
import { createWeirProject, show, type LsAssetJson, type WeirTestProject } from './weir-test-project.js';

type Policy = 'evolve' | 'freeze' | 'discard_row';

/** Every `weir` command is a new process: a test of ten of them needs minutes on a busy machine. */
const TIMEOUT = 180_000;

/** A project with one Redis stream table `raw_events` on a stream key of its own. */
interface StreamProject {
  project: WeirTestProject;
  key: string;
  env: Record<string, string>;
  /** XADDs each payload (as the `payload` field) and returns the entry ids, in order. */
  publish(payloads: string[]): Promise<string[]>;
  /** Rewrites the source file with another schema policy (and, optionally, another URL). */
  configure(policy: Policy, url?: string): void;
}

interface DeadLetterJson {
  asset: string;
  recordId: string;
  runId: string;
  setAsideAt: string;
  disposition: string;
  error: string;
  payload: string;
  replayedAt: string | null;
}

let admin: Redis;
const made: StreamProject[] = [];

function sourceFile(key: string, policy: Policy, url: string): string {
  return `connection: { type: redis, url: "${url}" }
tables:
  - name: raw_events
    stream: { key: "${key}" }
    batch: { max_messages: 100, max_wait: 0.2 }
    schema: ${policy}
    checks:
      - not_null: id
`;
}

async function streamProject(policy: Policy = 'evolve', extraFiles: Record<string, string> = {}): Promise<StreamProject> {
  const key = `weir-e2e:${randomBytes(6).toString('hex')}`;
  const project = await createWeirProject({ 'weir.yaml': 'name: streams\n', 'sources/events.yaml': sourceFile(key, policy, '${EVENTS_REDIS_URL}'), ...extraFiles });
  const created: StreamProject = {
    project,
    key,
    env: { EVENTS_REDIS_URL: testRedisUrl() },
    publish: async (payloads) => {
      const ids: string[] = [];
      for (const payload of payloads) ids.push((await admin.xadd(key, '*', 'payload', payload))!);
      return ids;
    },
    configure: (next, url = '${EVENTS_REDIS_URL}') => project.write({ 'sources/events.yaml': sourceFile(key, next, url) }),
  };
  made.push(created);
  return created;
}

async function publishedVersion(project: WeirTestProject): Promise<string | null> {
  const listing = await project.weirJson<{ assets: LsAssetJson[] }>(['ls', '--json']);
  return listing.assets.find((asset) => asset.name === 'raw_events')?.version ?? null;
}

await describeWithService(redisService, 'stream sources (Redis)', () => {
  beforeAll(() => {
    admin = new Redis(testRedisUrl());
  });
  afterAll(async () => {
    for (const { project, key } of made) {
      await project.cleanup();
      await admin.del(key);
    }
    admin?.disconnect();
  }, TIMEOUT);

  test('a run loads the messages, a malformed one becomes a dead letter that deadletter ls and show report', async () => {
    const { project, env, publish, key } = await streamProject();
    const malformed = '{"id": 2, "name": "bo"';
    const ids = await publish(['{"id": 1, "name": "ann"}', malformed, '{"id": 3, "name": "cy", "tags": {"vip": true}}']);

    const run = await project.weir(['run'], { env });
    expect(run.code, show(run)).toBe(0);
    expect(run.stdout).toContain('consumed 3 message(s) from the redis source in 1 batch(es): 2 landed, 1 set aside as dead letters');
    expect(await project.query('select id, name, tags__vip, _weir_message_id, _weir_subject from raw_events order by id')).toEqual([
      { id: 1, name: 'ann', tags__vip: null, _weir_message_id: ids[0], _weir_subject: key },
      { id: 3, name: 'cy', tags__vip: true, _weir_message_id: ids[2], _weir_subject: key },
    ]);

    const ls = await project.weir(['deadletter', 'ls']);
    expect(ls.code, show(ls)).toBe(0);
    expect(ls.stdout).toMatch(/^raw_events\s+1\s+0\s+\d{4}-\d\d-\d\d /m);
    expect(await project.weirJson(['deadletter', 'ls', '--json'])).toEqual([{ asset: 'raw_events', rejected: 1, values_discarded: 0, latest: expect.any(String) }]);

    const shown = await project.weir(['deadletter', 'show', 'raw_events']);
    expect(shown.code, show(shown)).toBe(0);
    expect(shown.stdout).toContain('1 dead letter(s) for raw_events');
    expect(shown.stdout).toContain(`${ids[1]}  rejected`);
    expect(shown.stdout).toMatch(/error: +malformed JSON/);
    expect(shown.stdout).toContain(`payload: ${malformed}`);
    const json = await project.weirJson<{ asset: string; total: number; letters: DeadLetterJson[] }>(['deadletter', 'show', 'raw_events', '--json']);
    expect(json).toEqual({
      asset: 'raw_events',
      total: 1,
      letters: [{ asset: 'raw_events', recordId: ids[1], runId: expect.any(String), setAsideAt: expect.any(String), disposition: 'rejected', error: expect.stringMatching(/^malformed JSON/), payload: malformed, replayedAt: null }],
    });

    // The next run reads after the stored position: nothing is loaded or set aside twice.
    const again = await project.weir(['run'], { env });
    expect(again.code, show(again)).toBe(0);
    expect(again.stdout).toContain('consumed 0 message(s)');
    expect(await project.query('select count(*) as n from raw_events')).toEqual([{ n: 2 }]);
    expect((await project.weirJson<{ total: number }>(['deadletter', 'show', 'raw_events', '--json'])).total).toBe(1);
  }, TIMEOUT);

  test('under evolve a new field adds a column, NULL in the rows loaded before', async () => {
    const { project, env, publish } = await streamProject('evolve');
    await publish(['{"id": 1, "name": "ann"}', '{"id": 2, "name": "bo"}']);
    const first = await project.weir(['run'], { env });
    expect(first.code, show(first)).toBe(0);
    await publish(['{"id": 3, "name": "cy", "country": "NZ"}']);
    const second = await project.weir(['run'], { env });
    expect(second.code, show(second)).toBe(0);
    expect(await project.query('select id, name, country from raw_events order by id')).toEqual([
      { id: 1, name: 'ann', country: null },
      { id: 2, name: 'bo', country: null },
      { id: 3, name: 'cy', country: 'NZ' },
    ]);
  }, TIMEOUT);

  test('under freeze a new field fails the run naming the field, the published version stays, and evolve then loads everything', async () => {
    const { project, env, publish, configure } = await streamProject('evolve');
    await publish(['{"id": 1, "name": "ann"}']);
    const first = await project.weir(['run'], { env });
    expect(first.code, show(first)).toBe(0);
    const published = await publishedVersion(project);
    expect(published).not.toBeNull();

    configure('freeze');
    await publish(['{"id": 2, "name": "bo"}', '{"id": 3, "name": "cy", "coupon": "SPRING"}', '{"id": 4, "name": "di"}']);
    const frozen = await project.weir(['run'], { env });
    expect(frozen.code, show(frozen)).toBe(1);
    expect(frozen.stdout).toMatch(/raw_events: new field "coupon" \(VARCHAR\): the schema is frozen, so the batch was not loaded/);
    expect(frozen.stdout).toContain('hint: set schema: evolve');
    expect(await publishedVersion(project)).toBe(published);
    expect(await project.query('select id, name from raw_events order by id')).toEqual([{ id: 1, name: 'ann' }]);
    // The failed batch was not stored: not even the records that fitted.
    expect(await project.query("select count(*) as n from weir_ingest.raw_events__landing")).toEqual([{ n: 1 }]);

    configure('evolve');
    const evolved = await project.weir(['run'], { env });
    expect(evolved.code, show(evolved)).toBe(0);
    expect(await publishedVersion(project)).not.toBe(published);
    expect(await project.query('select id, name, coupon from raw_events order by id')).toEqual([
      { id: 1, name: 'ann', coupon: null },
      { id: 2, name: 'bo', coupon: null },
      { id: 3, name: 'cy', coupon: 'SPRING' },
      { id: 4, name: 'di', coupon: null },
    ]);
  }, TIMEOUT);

  test('under discard_row a misfit is a dead letter; replay after switching to evolve lands it once, and the next run publishes it', async () => {
    const { project, env, publish, configure } = await streamProject('discard_row');
    await publish(['{"id": 1, "name": "ann"}']);
    const first = await project.weir(['run'], { env });
    expect(first.code, show(first)).toBe(0);
    const [, misfitId] = await publish(['{"id": 2, "name": "bo"}', '{"id": 3, "name": "cy", "score": 7}']);
    const second = await project.weir(['run'], { env });
    expect(second.code, show(second)).toBe(0);
    expect(second.stdout).toContain('2 message(s)');
    expect(await project.query('select id, name from raw_events order by id')).toEqual([
      { id: 1, name: 'ann' },
      { id: 2, name: 'bo' },
    ]);
    const letters = await project.weirJson<{ total: number; letters: DeadLetterJson[] }>(['deadletter', 'show', 'raw_events', '--json']);
    expect(letters.total).toBe(1);
    expect(letters.letters[0]).toMatchObject({ recordId: misfitId, disposition: 'rejected', payload: '{"id": 3, "name": "cy", "score": 7}', error: expect.stringContaining('new field "score"') });

    configure('evolve');
    const replay = await project.weir(['deadletter', 'replay', 'raw_events']);
    expect(replay.code, show(replay)).toBe(0);
    expect(replay.stdout).toContain('1 dead letter(s) of raw_events landed; 0 still do not fit');
    // Replay lands the records; publishing them is the next run's work.
    expect(await project.query('select count(*) as n from raw_events')).toEqual([{ n: 2 }]);
    expect(await project.weirJson(['deadletter', 'show', 'raw_events', '--json'])).toMatchObject({ total: 0, letters: [] });
    const all = await project.weirJson<{ letters: DeadLetterJson[] }>(['deadletter', 'show', 'raw_events', '--all', '--json']);
    expect(all.letters.map((letter) => [letter.recordId, letter.replayedAt === null])).toEqual([[misfitId, false]]);

    const third = await project.weir(['run'], { env });
    expect(third.code, show(third)).toBe(0);
    expect(await project.query('select id, name, score, _weir_message_id from raw_events order by id')).toEqual([
      { id: 1, name: 'ann', score: null, _weir_message_id: expect.any(String) },
      { id: 2, name: 'bo', score: null, _weir_message_id: expect.any(String) },
      { id: 3, name: 'cy', score: 7, _weir_message_id: misfitId },
    ]);

    expect(await project.weirJson(['deadletter', 'replay', 'raw_events', '--json'])).toEqual({ asset: 'raw_events', replayed: 0, stillRejected: 0 });
    const fourth = await project.weir(['run'], { env });
    expect(fourth.code, show(fourth)).toBe(0);
    expect(await project.query('select count(*) as n, count(distinct _weir_message_id) as ids from raw_events')).toEqual([{ n: 3, ids: 3 }]);
  }, TIMEOUT);

  test('an unreachable broker fails the run clearly, without its password, and publishes nothing', async () => {
    const { project, configure } = await streamProject();
    configure('evolve', 'redis://:s3cret@127.0.0.1:1');
    const run = await project.weir(['run']);
    expect(run.code, show(run)).toBe(1);
    expect(run.stdout).toContain('cannot connect to raw_events: Redis stream');
    expect(run.stdout).toContain('127.0.0.1:1');
    expect(run.stdout).toContain('ECONNREFUSED');
    expect(run.stdout + run.stderr).not.toContain('s3cret');
    expect(await publishedVersion(project)).toBeNull();
  }, TIMEOUT);

  test('a stream with no message yet fails the run saying so, and the first messages then load', async () => {
    const { project, env, publish } = await streamProject();
    const empty = await project.weir(['run'], { env });
    expect(empty.code, show(empty)).toBe(1);
    expect(empty.stdout).toContain('no message with data has arrived from the redis source yet');
    expect(await publishedVersion(project)).toBeNull();
    await publish(['{"id": 1}']);
    const run = await project.weir(['run'], { env });
    expect(run.code, show(run)).toBe(0);
    expect(await project.query('select id from raw_events')).toEqual([{ id: 1 }]);
  }, TIMEOUT);

  test('an unset variable in the URL is named', async () => {
    const variable = `WEIR_E2E_UNSET_${randomBytes(4).toString('hex').toUpperCase()}`;
    const { project, configure } = await streamProject();
    configure('evolve', `\${${variable}}`);
    const run = await project.weir(['run']);
    expect(run.code, show(run)).toBe(1);
    expect(run.stdout).toContain(`sources/events.yaml:3: raw_events: environment variable "${variable}" (in the connection URL) is not set`);
    expect(await publishedVersion(project)).toBeNull();
  }, TIMEOUT);

  test('ingest --follow consumes while a producer publishes, publishes versions as it goes, and SIGINT publishes everything and exits 0', async () => {
    const { project, env, publish } = await streamProject();
    const follow = project.spawnWeir(['ingest', 'raw_events', '--follow', '--publish-every', '1'], { env });
    const publications = () => follow.stdout().match(/published [0-9a-f]+ {2}\d+ rows/g) ?? [];
    // Faster than the batch's max_wait, so the stream is never idle while the producer runs: the
    // versions published meanwhile show that publishing does not wait for an empty stream.
    let sent = 0;
    while (publications().length < 2 && sent < 3000) {
      await publish([JSON.stringify({ id: ++sent, name: `event ${sent}` })]);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(publications().length, `${sent} messages sent, no two versions published meanwhile\n${follow.stdout()}\n${follow.stderr()}`).toBeGreaterThanOrEqual(2);
    await follow.waitForOutput(new RegExp(`published [0-9a-f]+ {2}${sent} rows`), 30_000);
    follow.kill('SIGINT');
    const result = await follow.exited;
    expect(result.code, show(result)).toBe(0);
    expect(result.stderr).toMatch(/raw_events: \d+ messages \(\d+\/s\), \d+ landed, lag \d+/);
    expect(result.stderr).toContain('stopping: publishing what landed');
    // The publication after the signal holds every message too.
    expect(publications().at(-1)).toMatch(new RegExp(` ${sent} rows$`));
    expect(result.stdout.trimEnd().split('\n').filter((line) => line.startsWith('Run ')).at(-1)).toMatch(/^Run \S+ succeeded/);
    const ids = await project.query<{ id: number }>('select id from raw_events order by id');
    expect(ids.map((row) => row.id)).toEqual(Array.from({ length: sent }, (_, index) => index + 1));
  }, TIMEOUT);

  test('ingest --follow of a table that is not a stream is a usage error', async () => {
    const { project, env } = await streamProject('evolve', {
      'data/countries.csv': 'code,name\nNZ,New Zealand\n',
      'sources/files.yaml': 'tables:\n  - name: countries\n    path: data/countries.csv\n',
    });
    const result = await project.weir(['ingest', 'countries', '--follow'], { env });
    expect(result.code, show(result)).toBe(2);
    expect(result.stderr).toContain('countries is not a stream table, so there is nothing to follow');
    expect(result.stderr).toContain('weir ingest countries');
    const listing = await project.weirJson<{ assets: LsAssetJson[] }>(['ls', '--json']);
    expect(listing.assets.find((asset) => asset.name === 'countries')).toMatchObject({ version: null });
  }, TIMEOUT);
});
