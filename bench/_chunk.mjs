import { DuckDBDataChunk, DuckDBDoubleType, DuckDBVarCharType, DuckDBBooleanType, DuckDBBigIntType } from '@duckdb/node-api';
import { openDuckDBAdapter } from '../packages/core/dist/engines/duckdb/duckdb-adapter.js';
import { shapeRecords } from '../packages/core/dist/connectors/records/shape-records.js';
const engine = await openDuckDBAdapter({ path: ':memory:' });
const session = await engine.session();
await session.execute('CREATE SCHEMA bench');
const COLUMNS = [['id','BIGINT'],['customer_id','BIGINT'],['quantity','BIGINT'],['amount','DOUBLE'],['discount','DOUBLE'],['name','VARCHAR'],['country','VARCHAR'],['status','VARCHAR'],['paid','BOOLEAN'],['created_at','TIMESTAMP']];
await session.execute(`CREATE TABLE bench.t (${COLUMNS.map(([n,t])=>n+' '+t).join(', ')})`);
const columns = COLUMNS.map(([name, type]) => ({ name, type, nullable: true }));
function makeRecords(first, count) { const out=[]; for (let i=first;i<first+count;i++) out.push(JSON.stringify({id:i,customerId:(i*7919)%100000,quantity:1+i%20,amount:(i%100000)/100+0.005,discount:(i%7)/10+0.05,name:`customer ${i%5000}`,country:'NO',status:'paid',paid:i%3!==0,createdAt:new Date(1767225600000+i*1000).toISOString().replace('.000Z','Z')})); return JSON.parse('['+out.join(',')+']'); }
const B = Number(process.argv[2] ?? 10000), N = 100000;
const batches = []; for (let f = 0; f < N; f += B) batches.push(makeRecords(f, B));
const cpu = async (label, fn) => { const res = []; for (let rep = 0; rep < 5; rep++) { const c0 = process.cpuUsage(); for (const b of batches) await fn(b); const c = process.cpuUsage(c0); res.push((c.user + c.system) / N); } res.sort((a, b) => a - b); console.log(label.padEnd(30), 'cpu us/row', res[2].toFixed(2)); };
const raw = async (records) => { const ap = await session.connection.createAppender('t', 'bench'); for (const r of records) { ap.appendInteger(r.id); ap.appendInteger(r.customerId); ap.appendInteger(r.quantity); ap.appendDouble(r.amount); ap.appendDouble(r.discount); ap.appendVarchar(r.name); ap.appendVarchar(r.country); ap.appendVarchar(r.status); ap.appendBoolean(r.paid); ap.appendVarchar(r.createdAt); ap.endRow(); } ap.flushSync(); ap.closeSync(); };
const shaped = batches.map((records) => shapeRecords(records.map((record, i) => ({ id: String(i), payload: '', record })), columns, 'evolve', 't').rows.map(r => r.row));
const D = DuckDBDoubleType.instance, V = DuckDBVarCharType.instance, Bo = DuckDBBooleanType.instance;
const chunkTypes = [D, D, D, D, D, V, V, V, Bo, V];
const names = columns.map(c => c.name);
const chunked = async (rows) => {
  const ap = await session.connection.createAppender('t', 'bench');
  for (let start = 0; start < rows.length; start += 2048) {
    const n = Math.min(2048, rows.length - start);
    const chunk = DuckDBDataChunk.create(chunkTypes, n);
    for (let c = 0; c < names.length; c++) {
      const vector = chunk.getColumnVector(c); const name = names[c];
      for (let r = 0; r < n; r++) vector.setItem(r, rows[start + r][name] ?? null);
      vector.flush();
    }
    ap.appendDataChunk(chunk);
  }
  ap.flushSync(); ap.closeSync();
};
let k = 0;
await cpu('raw appender', raw);
k = 0; await cpu('chunked (pre-shaped)', async () => chunked(shaped[k++ % shaped.length]));
k = 0; await cpu('appendRows (pre-shaped)', async () => { await session.appendRows({ schema: 'bench', name: 't' }, columns, shaped[k++ % shaped.length]); });
console.log((await session.query('select count(*)::int n, count(distinct created_at)::int d, min(created_at)::varchar mi, sum(id)::double s from bench.t'))[0]);
