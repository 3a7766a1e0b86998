/**
 * The local brokers and MySQL-family server tests run against, as {@link TestService}s for
 * `describeWithService`. Each is probed with a plain TCP connection: a test that then fails to
 * speak the protocol fails loudly rather than skipping.
 */
import { connect } from 'node:net';
import type { TestService } from './services.js';

/** Whether something accepts TCP connections on `host:port` within `timeoutMs`. */
export function tcpReachable(host: string, port: number, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (up: boolean) => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function hostPort(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port) };
}

function tcpService(name: string, url: string): TestService {
  const { host, port } = hostPort(url);
  return { name, available: () => tcpReachable(host, port) };
}

/** MariaDB/MySQL: `WEIR_TEST_MYSQL_URL` or the local server (root, no password). */
export function testMysqlUrl(): string {
  return process.env.WEIR_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
}
/** NATS with JetStream: `WEIR_TEST_NATS_URL` or the local server. */
export function testNatsUrl(): string {
  return process.env.WEIR_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
}
/** Redis: `WEIR_TEST_REDIS_URL` or the local server. */
export function testRedisUrl(): string {
  return process.env.WEIR_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
}
/** RabbitMQ: `WEIR_TEST_AMQP_URL` or the local server (guest/guest). */
export function testAmqpUrl(): string {
  return process.env.WEIR_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
}
/** Mosquitto (MQTT): `WEIR_TEST_MQTT_URL` or the local server. */
export function testMqttUrl(): string {
  return process.env.WEIR_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
}

export const mysqlService: TestService = tcpService('MariaDB', testMysqlUrl());
export const natsService: TestService = tcpService('NATS JetStream', testNatsUrl());
export const redisService: TestService = tcpService('Redis', testRedisUrl());
export const rabbitmqService: TestService = tcpService('RabbitMQ', testAmqpUrl());
export const mqttService: TestService = tcpService('Mosquitto (MQTT)', testMqttUrl());

/**
 * Kafka has no local broker here: its suites run only when `KAFKA_BROKERS` (host:port[,...]) is
 * set, and are skipped with a message otherwise, in CI too.
 */
export function kafkaBrokers(): string[] | undefined {
  const brokers = process.env.KAFKA_BROKERS?.split(',').map((broker) => broker.trim()).filter((broker) => broker.length > 0);
  return brokers && brokers.length > 0 ? brokers : undefined;
}
