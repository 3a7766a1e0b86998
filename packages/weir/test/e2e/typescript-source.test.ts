/**
 * TypeScript sources (`defineSource`) as a user drives them: a source in `models/` that pages
 * through a local CRM API, read by a downstream SQL model. A full load flattens nested records;
 * a second run reads past the high-water mark (`ctx.highWaterMark`) and merges by key; a record
 * the `discard_row` policy refuses is a dead letter `weir deadletter show` lists; a read that
 * throws part-way names the file and line and leaves the published version as it was.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createWeirProject, show, type LsAssetJson, type WeirTestProject } from './weir-test-project.js';

/** A contact as the CRM serves it. */
interface Contact {
  id: number;
  name: string;
  address: { city: string; geo: { lat: number } };
  tags: string[];
  score: number | string;
  updated_at: string;
}

const CITIES = ['Oslo', 'Rome', 'Lima'];

function contact(id: number, hour: number, extra: Partial<Contact> = {}): Contact {
  const city = CITIES[id % CITIES.length]!;
  return { id, name: `contact ${id}`, address: { city, geo: { lat: 10 + id } }, tags: [`t${id}`], score: id * 10, updated_at: new Date(Date.UTC(2026, 0, 1, hour)).toISOString(), ...extra };
}

/** A CRM API: `GET /contacts?page=N&since=ISO`, ten contacts a page, only those updated after `since`. */
class CrmServer {
  contacts: Contact[] = [];
  /** The `since` of every request, as sent. */
  readonly sinceSeen: string[] = [];
  /** Answer 500 to this page (to fail a load part-way). */
  failPage: number | undefined;
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://crm.local');
      const page = Number(url.searchParams.get('page'));
      const since = url.searchParams.get('since') ?? '';
      this.sinceSeen.push(since);
      if (page === this.failPage) {
        response.writeHead(500).end('boom');
        return;
      }
      const newer = this.contacts.filter((one) => since === '' || Date.parse(one.updated_at) > Date.parse(since));
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ contacts: newer.slice((page - 1) * 10, page * 10) }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

// The throw is on line 13; the test asserts that line, so keep the layout.
const SOURCE = `import { defineSource } from 'weir';

export const crm_contacts = defineSource({
  description: 'Contacts from the CRM',
  schema: 'discard_row',
  primaryKey: ['id'],
  incremental: { cursor: 'updated_at' },
  async *read(ctx) {
    ctx.log('since ' + (ctx.highWaterMark ?? 'the beginning'));
    for (let page = 1; ; page++) {
      const url = ctx.env.CRM_URL + '/contacts?page=' + page + '&since=' + encodeURIComponent(ctx.highWaterMark ?? '');
      const answer = await fetch(url, { signal: ctx.signal });
      if (!answer.ok) throw new Error('CRM answered ' + answer.status + ' for page ' + page);
      const body = (await answer.json()) as { contacts: object[] };
      if (body.contacts.length === 0) return;
      yield body.contacts;
    }
  },
});
`;

const BY_CITY = `select address__city as city, count(*) as contacts, sum(score) as score
from crm_contacts
group by 1
`;

describe('TypeScript sources', () => {
  const crm = new CrmServer();
  let project: WeirTestProject;
  const env = () => ({ CRM_URL: crm.url });
  const liveVersion = async (asset: string) => {
    const ls = await project.weirJson<{ assets: LsAssetJson[] }>(['ls', '--json']);
    return ls.assets.find((one) => one.name === asset)?.version ?? null;
  };

  beforeAll(async () => {
    await crm.start();
    // 25 contacts, one an hour; contact 12 has a score the loaded column (BIGINT) cannot hold.
    crm.contacts = Array.from({ length: 25 }, (_, index) => contact(index + 1, index, index + 1 === 12 ? { score: 'n/a' } : {}));
    project = await createWeirProject({ 'weir.yaml': 'name: crm\n', 'models/crm_contacts.ts': SOURCE, 'models/contacts_by_city.sql': BY_CITY });
  });
  afterAll(async () => {
    await project?.cleanup();
    await crm.close();
  });

  test('a full load: nested fields become columns, a downstream model reads them, a refused record is a dead letter', async () => {
    const run = await project.weir(['run'], { env: env() });
    expect(run.code, show(run)).toBe(0);
    expect(run.stdout + run.stderr).toMatch(/since the beginning/);
    expect(run.stdout + run.stderr).toMatch(/read 25 record\(s\) in 3 batch\(es\), 1 set aside as dead letters; high-water mark 2026-01-02T00:00:00Z/);

    const rows = await project.query<{ id: number; name: string; address__city: string; address__geo__lat: number; tags: string; score: number }>(
      'select id, name, address__city, address__geo__lat, tags, score from crm_contacts order by id',
    );
    expect(rows.map((row) => row.id)).toEqual(Array.from({ length: 25 }, (_, index) => index + 1).filter((id) => id !== 12));
    expect(rows[0]).toMatchObject({ name: 'contact 1', address__city: 'Rome', address__geo__lat: 11, score: 10 });
    expect(JSON.parse(String(rows[0]!.tags))).toEqual(['t1']);

    const byCity = await project.query<{ city: string; contacts: number }>('select city, contacts from contacts_by_city order by city');
    expect(byCity.map((row) => [row.city, Number(row.contacts)])).toEqual([
      ['Lima', 8],
      ['Oslo', 7],
      ['Rome', 9],
    ]);

    const letters = await project.weir(['deadletter', 'show', 'crm_contacts']);
    expect(letters.code, show(letters)).toBe(0);
    expect(letters.stdout).toMatch(/1 dead letter\(s\) for crm_contacts/);
    expect(letters.stdout).toMatch(/rejected/);
    expect(letters.stdout).toMatch(/"score" is VARCHAR \("n\/a"\) but the column is BIGINT/);
    expect(letters.stdout).toContain('"id":12');
  });

  test('an incremental run reads past the high-water mark and merges by key', async () => {
    const before = crm.sinceSeen.length;
    crm.contacts = [
      ...crm.contacts,
      // Contact 3 changed after the first load; 26..30 are new.
      contact(3, 30, { name: 'contact 3 (renamed)', address: { city: 'Oslo', geo: { lat: 13 } } }),
      ...Array.from({ length: 5 }, (_, index) => contact(26 + index, 31 + index)),
    ];
    const run = await project.weir(['run'], { env: env() });
    expect(run.code, show(run)).toBe(0);
    expect(run.stdout + run.stderr).toMatch(/since 2026-01-02T00:00:00Z/);
    expect(run.stdout + run.stderr).toMatch(/read 6 record\(s\) in 1 batch\(es\) past the mark of \w+; high-water mark 2026-01-02T11:00:00Z/);
    expect(new Set(crm.sinceSeen.slice(before))).toEqual(new Set(['2026-01-02T00:00:00Z']));

    const rows = await project.query<{ id: number; name: string; address__city: string }>('select id, name, address__city from crm_contacts order by id');
    expect(rows).toHaveLength(29);
    expect(rows.find((row) => row.id === 3)).toMatchObject({ name: 'contact 3 (renamed)', address__city: 'Oslo' });
    const byCity = await project.query<{ city: string; contacts: number }>('select city, contacts from contacts_by_city order by city');
    expect(byCity.map((row) => Number(row.contacts)).reduce((sum, count) => sum + count, 0)).toBe(29);
  });

  test('a read that throws part-way fails at the file and line, and the published version stays', async () => {
    const published = await liveVersion('crm_contacts');
    expect(published).not.toBeNull();
    crm.contacts = [...crm.contacts, ...Array.from({ length: 15 }, (_, index) => contact(31 + index, 40 + index))];
    crm.failPage = 2;
    const run = await project.weir(['run'], { env: env() });
    crm.failPage = undefined;
    expect(run.code, show(run)).toBe(1);
    expect(run.stdout).toMatch(/crm_contacts +failed: models\/crm_contacts\.ts:13(:\d+)?: crm_contacts threw Error: CRM answered 500 for page 2/);
    expect(run.stdout).toMatch(/contacts_by_city: input crm_contacts failed/);
    expect(await liveVersion('crm_contacts')).toBe(published);
    expect((await project.query<{ n: number }>('select count(*) as n from crm_contacts'))[0]!.n).toBe(29);
    // The first page of the failed read was not kept anywhere: the next load reads it again.
    const again = await project.weir(['run'], { env: env() });
    expect(again.code, show(again)).toBe(0);
    expect(again.stdout + again.stderr).toMatch(/read 15 record\(s\) in 2 batch\(es\)/);
    expect((await project.query<{ n: number }>('select count(*) as n from crm_contacts'))[0]!.n).toBe(44);
  });
});
