import { openDuckDBAdapter } from '../packages/core/dist/engines/duckdb/duckdb-adapter.js';
import { shapeRecords } from '../packages/core/dist/connectors/records/shape-records.js';
const engine = await openDuckDBAdapter({ path: process.argv[3] ?? ':memory:' });
const session = await engine.session();
await session.execute('CREATE SCHEMA bench');
const COLUMNS = [['id','BIGINT'],['customer_id','BIGINT'],['quantity','BIGINT'],['amount','DOUBLE'],['discount','DOUBLE'],['name','VARCHAR'],['country','VARCHAR'],['status','VARCHAR'],['paid','BOOLEAN'],['created_at','TIMESTAMP']];
await session.execute(`CREATE TABLE bench.t (${COLUMNS.map(([n,t])=>n+' '+t).join(', ')})`);
const columns = COLUMNS.map(([name, type]) => ({ name, type, nullable: true }));
function makeRecords(first, count) { const out=[]; for (let i=first;i<first+count;i++) out.push(JSON.stringify({id:i,customerId:(i*7919)%100000,quantity:1+i%20,amount:(i%100000)/100+0.005,discount:(i%7)/10+0.05,name:`customer ${i%5000}`,country:'NO',status:'paid',paid:i%3!==0,createdAt:new Date(1767225600000+i*1000).toISOString().replace('.000Z','Z')})); return JSON.parse('['+out.join(',')+']'); }
const B = Number(process.argv[2] ?? 10000), N = 100000;
const raw = async (records) => { const ap = await session.connection.createAppender('t', 'bench'); for (const r of records) { ap.appendInteger(r.id); ap.appendInteger(r.customerId); ap.appendInteger(r.quantity); ap.appendDouble(r.amount); ap.appendDouble(r.discount); ap.appendVarchar(r.name); ap.appendVarchar(r.country); ap.appendVarchar(r.status); ap.appendBoolean(r.paid); ap.appendVarchar(r.createdAt); ap.endRow(); } ap.flushSync(); ap.closeSync(); };
const weir = async (records) => { const b = shapeRecords(records.map((record, i) => ({ id: String(i), payload: '', record })), columns, 'evolve', 't'); await session.appendRows({ schema: 'bench', name: 't' }, b.columns, b.rows.map(r => r.row)); };
const shapeOnly = async (records) => { shapeRecords(records.map((record, i) => ({ id: String(i), payload: '', record })), columns, 'evolve', 't'); };
const res = { raw: [], weir: [], shape: [] };
for (let round = 0; round < 7; round++) for (const [k, f] of [['raw', raw], ['weir', weir], ['shape', shapeOnly]]) {
  let cpu = 0;
  for (let first = 0; first < N; first += B) { const recs = makeRecords(first, B); const c0 = process.cpuUsage(); await f(recs); const c = process.cpuUsage(c0); cpu += c.user + c.system; }
  res[k].push(cpu / N);
  await session.execute('DELETE FROM bench.t');
}
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
console.log(`batch ${B}: raw ${med(res.raw).toFixed(2)} weir ${med(res.weir).toFixed(2)} shape ${med(res.shape).toFixed(2)} us/row CPU; ratio ${(med(res.raw) / med(res.weir)).toFixed(2)}x`);
