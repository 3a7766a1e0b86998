/**
 * Benchmark 7: each stream connector against its broker's plain consume rate.
 *
 * No fixed target (issue #4 asks for "messages/s against the broker's plain consume rate measured
 * in the same run"). For each local broker, the same N small JSON messages are consumed twice:
 *
 * - **plain**: the broker's client library in the simplest at-least-once form: NATS, a durable
 *   pull consumer fetching batches of 1,000 (with a message callback) and acking each message; Redis, `XREAD COUNT 1000`
 *   (a stream read by position needs no ack); RabbitMQ, a consumer with prefetch 1,000 acking
 *   each 1,000 with `multiple`; MQTT, a QoS 1 subscription; Kafka (only with KAFKA_BROKERS), a
 *   consumer group committing each batch.
 * - **weir**: `ingestStream` (mode `drain`, batches of 1,000) through the `open*StreamConnector`
 *   connector into an in-memory DuckDB: every batch fitted to the landing table and written with
 *   its message ids, dedupe check and positions in one transaction, then acknowledged.
 *
 * Both clocks run from connecting to the moment the last message is acknowledged (for weir: the
 * batch holding it committed). Samples alternate the two, medians are compared. Beside the rate,
 * weir's time is split into the connector's calls (fetch, acknowledge, lag) and the warehouse
 * (the rest: shaping and `StreamLanding.land`).
 *
 * MQTT differs: Mosquitto keeps at most 1,000 queued messages per session (`max_queued_messages`)
 * and drops the rest, so the messages cannot be published beforehand. A publisher in this process
 * sends them while the consumer runs, never more than WINDOW ahead of what was acknowledged, and
 * both sides' times include that publishing (so MQTT's ratio is diluted towards 1).
 *
 * Everything is created with a random name and removed afterwards. Variables:
 * WEIR_BENCH_STREAM_MESSAGES (default 50,000), WEIR_BENCH_MQTT_MESSAGES (default 10,000),
 * WEIR_BENCH_SAMPLES (default 3), WEIR_BENCH_BROKERS (say `nats,redis`: only those), the brokers'
 * WEIR_TEST_*_URL and KAFKA_BROKERS.
 *
 * Usage: node bench/ingest-streams.js (after `npm run build`).
 */
import { randomBytes } from 'node:crypto';
import amqp from 'amqplib';
import { Kafka, logLevel } from 'kafkajs';
import { connectAsync as connectMqtt } from 'mqtt';
import { AckPolicy, DeliverPolicy, connect as connectNats } from 'nats';
import { Redis } from 'ioredis';
import { formatMs, formatRatio, formatTable, importCore, isMain, median } from './lib/measure.js';

const { openDuckDBAdapter } = await importCore('engines/duckdb/duckdb-adapter.js');
const { ingestStream } = await importCore('connectors/streams/ingest-stream.js');
const { openNatsStreamConnector } = await importCore('connectors/streams/nats/nats-stream-connector.js');
const { openRedisStreamConnector } = await importCore('connectors/streams/redis/redis-stream-connector.js');
const { openRabbitmqStreamConnector } = await importCore('connectors/streams/rabbitmq/rabbitmq-stream-connector.js');
const { openMqttStreamConnector } = await importCore('connectors/streams/mqtt/mqtt-stream-connector.js');
const { openKafkaStreamConnector } = await importCore('connectors/streams/kafka/kafka-stream-connector.js');
const services = await importCore('testing/broker-services.js');

const MESSAGES = Number(process.env.WEIR_BENCH_STREAM_MESSAGES ?? 50_000);
const MQTT_MESSAGES = Number(process.env.WEIR_BENCH_MQTT_MESSAGES ?? 10_000);
const SAMPLES = Number(process.env.WEIR_BENCH_SAMPLES ?? 3);
const BATCH = 1000;
/** MQTT: how far the publisher may run ahead of the consumer (below Mosquitto's 1,000 queued). */
const WINDOW = 800;
/** No consume may take longer than this: a lost message must fail the bench, not hang it. */
const TIMEOUT_MS = 180_000;

const STATUSES = ['new', 'paid', 'shipped', 'delivered', 'returned'];
const unique = () => randomBytes(5).toString('hex');

/** Message `i`: a small order event, about 130 bytes of JSON. */
function payload(i) {
  const createdAt = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString().replace('.000Z', 'Z');
  return JSON.stringify({ id: i, customerId: (i * 7919) % 100_000, amount: (i % 100_000) / 100 + 0.005, status: STATUSES[i % 5], paid: i % 3 !== 0, createdAt });
}

function withTimeout(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A connector whose calls are timed, to say where weir's time goes. */
function timed(connector, spent) {
  const wrap = (name) => async (...args) => {
    const started = performance.now();
    try {
      return await connector[name](...args);
    } finally {
      spent[name] = (spent[name] ?? 0) + performance.now() - started;
    }
  };
  return { type: connector.type, describe: connector.describe, open: wrap('open'), fetch: wrap('fetch'), acknowledge: wrap('acknowledge'), lag: wrap('lag'), close: wrap('close') };
}

/**
 * `ingestStream` of `n` messages into a fresh in-memory DuckDB; ms until the last batch committed.
 * A drain that stops short (it stops at the backlog the broker reported when it started, which
 * can miss deliveries already on their way) is followed by another, as the next run would: the
 * time counts until all `n` are stored, and `drains` says how many it took.
 */
async function runWeir(openConnector, n, onProgress = () => undefined) {
  const engine = await openDuckDBAdapter({ path: ':memory:' });
  const spent = {};
  try {
    let doneAt;
    let batches = 0;
    let drains = 0;
    let landed = 0;
    const started = performance.now();
    while (landed < n && drains < 5) {
      drains += 1;
      const before = landed;
      const totals = await withTimeout(
        ingestStream(engine, timed(openConnector(), spent), {
          asset: 'bench_stream',
          runId: 'bench',
          policy: 'evolve',
          maxMessages: BATCH,
          maxWaitMs: 1000,
          mode: 'drain',
          maxMessagesPerLoad: n - before,
          onBatch: (progress) => {
            batches += 1;
            onProgress(before + progress.messages);
            if (before + progress.landed >= n && doneAt === undefined) doneAt = performance.now();
          },
        }),
        'weir',
      );
      landed += totals.landed;
    }
    const ms = (doneAt ?? performance.now()) - started;
    const session = await engine.session();
    const [row] = await session.query('SELECT count(*) AS n, count(DISTINCT _weir_message_id) AS ids FROM weir_ingest.bench_stream__landing');
    await session.close();
    if (landed !== n || Number(row.n) !== n || Number(row.ids) !== n) throw new Error(`weir landed ${landed} messages (${row.n} rows, ${row.ids} ids), expected ${n}`);
    const connectorMs = (spent.fetch ?? 0) + (spent.acknowledge ?? 0) + (spent.lag ?? 0) + (spent.open ?? 0);
    return { ms, batches, drains, fetch: spent.fetch ?? 0, acknowledge: spent.acknowledge ?? 0, lag: spent.lag ?? 0, open: spent.open ?? 0, warehouse: ms - connectorMs };
  } finally {
    await engine.close();
  }
}

const nats = {
  name: 'NATS JetStream',
  service: services.natsService,
  messages: () => MESSAGES,
  async setup(n) {
    const url = services.testNatsUrl();
    const admin = await connectNats({ servers: url });
    const manager = await admin.jetstreamManager();
    const stream = `WEIR_BENCH_${unique()}`;
    await manager.streams.add({ name: stream, subjects: [`${stream}.>`] });
    const js = admin.jetstream();
    for (let first = 0; first < n; first += 1000) {
      await Promise.all(Array.from({ length: Math.min(1000, n - first) }, (_, k) => js.publish(`${stream}.orders`, Buffer.from(payload(first + k)))));
    }
    let consumers = 0;
    return {
      plain: async () => {
        const started = performance.now();
        const connection = await connectNats({ servers: url });
        try {
          const name = `plain_${consumers++}`;
          await (await connection.jetstreamManager()).consumers.add(stream, { durable_name: name, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All });
          const consumer = await connection.jetstream().consumers.get(stream, name);
          let count = 0;
          // A callback per message: nats.js's async iterator over the same fetch is several times slower.
          while (count < n) {
            const batch = await consumer.fetch({
              max_messages: BATCH,
              expires: 1000,
              callback: (message) => {
                message.ack();
                count += 1;
              },
            });
            await batch.closed();
          }
          await connection.flush();
          return performance.now() - started;
        } finally {
          await connection.close();
        }
      },
      weir: () => {
        const consumer = `weir_${consumers++}`;
        return runWeir(() => openNatsStreamConnector({ url, stream, consumer }), n);
      },
      cleanup: async () => {
        await manager.streams.delete(stream);
        await admin.close();
      },
    };
  },
};

const redis = {
  name: 'Redis Streams',
  service: services.redisService,
  messages: () => MESSAGES,
  async setup(n) {
    const url = services.testRedisUrl();
    const admin = new Redis(url);
    const key = `weir_bench_${unique()}`;
    for (let first = 0; first < n; first += 5000) {
      const pipeline = admin.pipeline();
      for (let i = first; i < Math.min(n, first + 5000); i++) pipeline.xadd(key, '*', 'payload', payload(i));
      await pipeline.exec();
    }
    return {
      plain: async () => {
        const started = performance.now();
        const client = new Redis(url);
        try {
          let count = 0;
          let last = '0-0';
          while (count < n) {
            const reply = await client.xread('COUNT', BATCH, 'STREAMS', key, last);
            const entries = reply?.[0]?.[1] ?? [];
            if (entries.length === 0) throw new Error('XREAD came back empty before the end');
            count += entries.length;
            last = entries[entries.length - 1][0];
          }
          return performance.now() - started;
        } finally {
          client.disconnect();
        }
      },
      weir: () => runWeir(() => openRedisStreamConnector({ url, key, name: 'bench' }), n),
      cleanup: async () => {
        await admin.del(key);
        admin.disconnect();
      },
    };
  },
};

const rabbitmq = {
  name: 'RabbitMQ',
  service: services.rabbitmqService,
  messages: () => MESSAGES,
  async setup(n) {
    const url = services.testAmqpUrl();
    const admin = await amqp.connect(url);
    const channel = await admin.createConfirmChannel();
    const queues = [];
    // A queue is consumed away: each side of each sample gets its own full queue, published
    // once through a fanout exchange (not timed).
    const fill = async () => {
      const exchange = `weir_bench_${unique()}`;
      await channel.assertExchange(exchange, 'fanout', { durable: false, autoDelete: false });
      const pair = [`${exchange}_plain`, `${exchange}_weir`];
      for (const queue of pair) {
        await channel.assertQueue(queue, { durable: true });
        await channel.bindQueue(queue, exchange, '');
        queues.push(queue);
      }
      for (let first = 0; first < n; first += 2000) {
        for (let i = first; i < Math.min(n, first + 2000); i++) channel.publish(exchange, 'orders', Buffer.from(payload(i)), { messageId: `m${i}`, contentType: 'application/json' });
        await channel.waitForConfirms();
      }
      await channel.deleteExchange(exchange);
      return pair;
    };
    let filled;
    return {
      plain: async () => {
        filled ??= await fill();
        const queue = filled[0];
        const started = performance.now();
        const connection = await amqp.connect(url);
        try {
          const consumer = await connection.createChannel();
          await consumer.prefetch(BATCH);
          let count = 0;
          let finished = () => undefined;
          const done = new Promise((resolve) => (finished = resolve));
          await consumer.consume(queue, (message) => {
            count += 1;
            if (count % BATCH === 0 || count === n) consumer.ack(message, true);
            if (count === n) finished();
          });
          await withTimeout(done, 'the plain RabbitMQ consumer');
          await consumer.checkQueue(queue); // the acks have reached the broker
          return performance.now() - started;
        } finally {
          await connection.close();
        }
      },
      weir: async () => {
        filled ??= await fill();
        const queue = filled[1];
        return runWeir(() => openRabbitmqStreamConnector({ url, queue, prefetch: BATCH }), n);
      },
      nextSample: () => {
        filled = undefined;
      },
      cleanup: async () => {
        for (const queue of queues) await channel.deleteQueue(queue);
        await admin.close();
      },
    };
  },
};

const mqttBroker = {
  name: 'MQTT (Mosquitto)',
  service: services.mqttService,
  messages: () => MQTT_MESSAGES,
  async setup(n) {
    const url = services.testMqttUrl();
    const publisher = await connectMqtt(url, { protocolVersion: 5, clientId: `weir-bench-pub-${unique()}`, reconnectPeriod: 0 });
    const sessions = [];
    /** Publishes message 0..n-1 at QoS 1, never more than WINDOW ahead of `consumed()`. */
    const publishPaced = async (topic, consumed, progressed) => {
      for (let i = 0; i < n; i++) {
        while (i - consumed() >= WINDOW) await progressed();
        publisher.publish(topic, payload(i), { qos: 1 });
      }
    };
    const waiter = () => {
      let wake = () => undefined;
      return {
        progressed: () => new Promise((resolve) => (wake = resolve)),
        wake: () => wake(),
      };
    };
    return {
      plain: async () => {
        const topic = `weir-bench/${unique()}/orders`;
        const started = performance.now();
        const subscriber = await connectMqtt(url, { protocolVersion: 5, clientId: `weir-bench-plain-${unique()}`, clean: true, reconnectPeriod: 0 });
        try {
          await subscriber.subscribeAsync(topic, { qos: 1 });
          let count = 0;
          const progress = waiter();
          const done = new Promise((resolve) => {
            subscriber.on('message', () => {
              count += 1;
              if (count % 100 === 0) progress.wake();
              if (count === n) resolve();
            });
          });
          await withTimeout(Promise.all([publishPaced(topic, () => count, progress.progressed), done]), 'the plain MQTT subscriber');
          return performance.now() - started;
        } finally {
          await subscriber.endAsync();
        }
      },
      weir: async () => {
        const topic = `weir-bench/${unique()}/orders`;
        const clientId = `weir-bench-${unique()}`;
        sessions.push(clientId);
        // MQTT keeps messages only for a session that subscribed: create it first, as a loader's first run does.
        const first = openMqttStreamConnector({ url, topic, clientId });
        await first.open(new Map());
        await first.close();
        let committed = 0;
        const progress = waiter();
        const publishing = publishPaced(topic, () => committed, progress.progressed);
        const result = await runWeir(() => openMqttStreamConnector({ url, topic, clientId }), n, (messages) => {
          committed = messages;
          progress.wake();
        });
        await publishing;
        return result;
      },
      cleanup: async () => {
        // A clean start with no session expiry removes each persistent session and what it held.
        for (const clientId of sessions) {
          const cleaner = await connectMqtt(url, { protocolVersion: 5, clientId, clean: true, reconnectPeriod: 0, properties: { sessionExpiryInterval: 0 } });
          await cleaner.endAsync();
        }
        await publisher.endAsync();
      },
    };
  },
};

const kafka = {
  name: 'Kafka',
  service: { name: 'Kafka', available: async () => services.kafkaBrokers() !== undefined },
  messages: () => MESSAGES,
  async setup(n) {
    const brokers = services.kafkaBrokers();
    const client = new Kafka({ clientId: 'weir-bench', brokers, logLevel: logLevel.NOTHING });
    const admin = client.admin();
    await admin.connect();
    const topic = `weir_bench_${unique()}`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const producer = client.producer();
    await producer.connect();
    for (let first = 0; first < n; first += 1000) {
      await producer.send({ topic, messages: Array.from({ length: Math.min(1000, n - first) }, (_, k) => ({ value: payload(first + k) })) });
    }
    await producer.disconnect();
    const groups = [];
    return {
      plain: async () => {
        const groupId = `weir_bench_plain_${unique()}`;
        groups.push(groupId);
        const started = performance.now();
        const consumer = client.consumer({ groupId });
        try {
          await consumer.connect();
          await consumer.subscribe({ topic, fromBeginning: true });
          let count = 0;
          await withTimeout(
            new Promise((resolve, reject) => {
              consumer
                .run({
                  eachBatchAutoResolve: true,
                  eachBatch: async ({ batch, commitOffsetsIfNecessary }) => {
                    count += batch.messages.length;
                    await commitOffsetsIfNecessary();
                    if (count >= n) resolve();
                  },
                })
                .catch(reject);
            }),
            'the plain Kafka consumer',
          );
          return performance.now() - started;
        } finally {
          await consumer.disconnect();
        }
      },
      weir: () => {
        const groupId = `weir_bench_${unique()}`;
        groups.push(groupId);
        return runWeir(() => openKafkaStreamConnector({ brokers, topic, groupId }), n);
      },
      cleanup: async () => {
        await admin.deleteTopics({ topics: [topic] });
        await admin.deleteGroups(groups).catch(() => undefined);
        await admin.disconnect();
      },
    };
  },
};

const BROKERS = [nats, redis, rabbitmq, mqttBroker, kafka];
/** WEIR_BENCH_BROKERS=nats,redis runs only those (names as in the table, compared in lower case by prefix). */
const ONLY = process.env.WEIR_BENCH_BROKERS?.split(',').map((name) => name.trim().toLowerCase()).filter((name) => name.length > 0);

async function benchBroker(broker, log) {
  if (!(await broker.service.available())) {
    log(`   ${broker.name}: skipped (${broker === kafka ? 'KAFKA_BROKERS is not set' : 'not reachable'})`);
    return { name: broker.name, skipped: true };
  }
  const n = broker.messages();
  const fixture = await broker.setup(n);
  try {
    const plain = [];
    const weir = [];
    for (let sample = 0; sample < SAMPLES; sample++) {
      const order = sample % 2 === 0 ? ['plain', 'weir'] : ['weir', 'plain'];
      for (const which of order) {
        if (which === 'plain') plain.push(await withTimeout(fixture.plain(), `plain ${broker.name}`));
        else weir.push(await fixture.weir());
      }
      fixture.nextSample?.();
    }
    const plainMs = median(plain);
    const weirMs = median(weir.map((run) => run.ms));
    const typical = weir.find((run) => run.ms === weirMs) ?? weir[0];
    const result = { name: broker.name, n, plainRate: n / (plainMs / 1000), weirRate: n / (weirMs / 1000), ratio: plainMs / weirMs, typical };
    const split = `fetch ${formatMs(typical.fetch)}, ack ${formatMs(typical.acknowledge)}, lag ${formatMs(typical.lag)}, open ${formatMs(typical.open)}, warehouse ${formatMs(typical.warehouse)}`;
    log(`   ${broker.name}, ${n.toLocaleString('en')} messages: plain ${rate(result.plainRate)}, weir ${rate(result.weirRate)} -> ${formatRatio(result.ratio)} (weir ${formatMs(weirMs)} in ${typical.batches} batches${typical.drains > 1 ? ` and ${typical.drains} drains` : ''}: ${split})`);
    return result;
  } finally {
    await fixture.cleanup();
  }
}

function rate(perSecond) {
  return `${Math.round(perSecond).toLocaleString('en')} msg/s`;
}

/**
 * Measures each stream connector's `ingestStream` against its broker's plain consume rate.
 *
 * @example
 * ```js
 * const rows = await runStreamsBench();
 * ```
 */
export async function runStreamsBench({ log = console.log } = {}) {
  log(`== stream ingestion: weir's ingestStream (batches of ${BATCH}, in-memory DuckDB) vs each broker's plain consumer; ${SAMPLES} samples, medians`);
  const results = [];
  for (const broker of BROKERS) {
    if (ONLY !== undefined && !ONLY.some((name) => broker.name.toLowerCase().startsWith(name))) continue;
    try {
      results.push(await benchBroker(broker, log));
    } catch (error) {
      // One broker failing (a lost message, a broker gone) does not hide the others' numbers.
      log(`   ${broker.name}: FAILED: ${error instanceof Error ? error.message : String(error)}`);
      results.push({ name: broker.name, failed: true });
    }
  }
  const failed = results.filter((result) => result.failed).length;
  const measured = results.filter((result) => !result.skipped && !result.failed);
  log('');
  log(
    formatTable(
      ['broker', 'messages', 'plain msg/s', 'weir msg/s', 'weir / plain', 'weir: connector', 'weir: warehouse'],
      measured.map((result) => {
        const { typical } = result;
        const connector = typical.fetch + typical.acknowledge + typical.lag + typical.open;
        return [
          result.name,
          result.n.toLocaleString('en'),
          Math.round(result.plainRate).toLocaleString('en'),
          Math.round(result.weirRate).toLocaleString('en'),
          formatRatio(result.ratio),
          `${Math.round((100 * connector) / typical.ms)}%`,
          `${Math.round((100 * typical.warehouse) / typical.ms)}%`,
        ];
      }),
    ),
  );
  log('   (weir / plain: weir msg/s over plain msg/s, higher is better; connector and warehouse: shares of weir\'s time)');
  if (failed > 0) process.exitCode = 1;
  return results.map((result) =>
    result.skipped || result.failed
      ? { bench: 'streams', measure: result.name, value: result.failed ? 'FAILED (see above)' : 'skipped', baseline: '-', ratio: undefined, target: '(info)' }
      : { bench: 'streams', measure: `${result.name}, ${result.n.toLocaleString('en')} messages`, value: rate(result.weirRate), baseline: `${rate(result.plainRate)} (plain)`, ratio: result.ratio, target: '(info)' },
  );
}

if (isMain(import.meta.url)) await runStreamsBench();
