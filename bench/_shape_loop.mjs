import { shapeRecords } from '../packages/core/dist/connectors/records/shape-records.js';
const COLUMNS = [['id','BIGINT'],['customer_id','BIGINT'],['quantity','BIGINT'],['amount','DOUBLE'],['discount','DOUBLE'],['name','VARCHAR'],['country','VARCHAR'],['status','VARCHAR'],['paid','BOOLEAN'],['created_at','TIMESTAMP']];
const columns = COLUMNS.map(([name, type]) => ({ name, type, nullable: true }));
function makeRecords(first, count) { const out=[]; for (let i=first;i<first+count;i++) out.push(JSON.stringify({id:i,customerId:(i*7919)%100000,quantity:1+i%20,amount:(i%100000)/100+0.005,discount:(i%7)/10+0.05,name:`customer ${i%5000}`,country:'NO',status:'paid',paid:i%3!==0,createdAt:new Date(1767225600000+i*1000).toISOString().replace('.000Z','Z')})); return JSON.parse('['+out.join(',')+']'); }
const b = makeRecords(0, 10000); const inc = b.map((record, i) => ({ id: String(i), payload: '', record }));
let sink; const c0 = process.cpuUsage();
for (let rep = 0; rep < 150; rep++) sink = shapeRecords(inc, columns, 'evolve', 't');
const c = process.cpuUsage(c0); console.log('ns/row', ((c.user + c.system) * 1000 / 1.5e6).toFixed(0));
