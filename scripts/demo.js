#!/usr/bin/env node
// The README's "run the demo" command: a fresh demo shop project in .demo/shop, built end to end
// on the embedded default (DuckDB + SQLite). The first run holds one mart back on purpose (a
// planted duplicate), so `weir run` exits 1 there; this script explains that and exits 0 when
// the run ended exactly as the demo intends.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const weir = join(repo, 'packages', 'weir', 'bin', 'weir.js');
const size = process.argv[2] ?? 'small';
const project = join(repo, '.demo', 'shop');

function weirCommand(args, cwd) {
  console.log(`\n$ weir ${args.join(' ')}`);
  return spawnSync(process.execPath, [weir, ...args], { cwd, stdio: 'inherit' }).status;
}

rmSync(project, { recursive: true, force: true });
mkdirSync(dirname(project), { recursive: true });
// With SHOP_DB_URL set, the demo's database source (sources/shop_db.yaml) reads refunds from that
// PostgreSQL database, which `--seed-database` fills first; without it those tables are left out.
const withDatabase = (process.env.SHOP_DB_URL ?? '') !== '';
if (weirCommand(['init', project, '--size', size, ...(withDatabase ? ['--seed-database'] : [])], repo) !== 0) process.exit(1);
const runStatus = weirCommand(['run'], project);
if (runStatus !== 0 && runStatus !== 1) process.exit(runStatus ?? 3);
// The partitioned mart is built one day at a time: a backfill over the last month of the data.
const backfillStatus = weirCommand(['backfill', 'daily_channel_revenue', '--from', '2025-12-01', '--to', '2025-12-31', '--concurrency', '2'], project);
if (backfillStatus !== 0) process.exit(backfillStatus ?? 3);
weirCommand(['ls'], project);
weirCommand(['query', 'select order_date, revenue from daily_revenue order by order_date desc limit 5'], project);
console.log(`\nThe demo project is in ${project}. Try: cd ${project} && npx weir runs`);
if (!withDatabase) console.log('Its database source (refunds in PostgreSQL) was left out: set SHOP_DB_URL to include it (see the README).');
if (runStatus === 1) {
  console.log('weir run exited 1 because a check held a mart back: that is the planted problem the demo shows.');
}
process.exit(runStatus === 0 || runStatus === 1 ? 0 : runStatus);
