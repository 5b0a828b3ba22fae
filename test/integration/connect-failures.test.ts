/**
 * What a new user meets first: a wrong address, a host name that does not resolve, a port that is not
 * Kafka, TLS against a plaintext listener, SASL against a listener without SASL, and no TLS against a
 * TLS listener. Each `run()` fails with a typed error that names the bootstrap servers and the likely
 * cause with a next step, never a secret, and the definitive ones fail at once instead of after the
 * connect deadline. A broker that comes up while `run()` waits is still found.
 */
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect, createServer as createTcpServer, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HonoEventConsumer } from '../../src/consumer/hono-event-consumer.js';
import { isHonoKafkaError } from '../../src/errors.js';
import { randomSuffix } from './clients.js';
import { createTestTopic, quietLogger, sequencedEvents, waitFor } from './consumer-helpers.js';
import { kafkaEnvironment, saslEnvironment, tlsEnvironment } from './kafka-env.js';

const connectTimeoutMs = 4_000;
const secret = `pw-${randomSuffix()}`;
const consumers: HonoEventConsumer[] = [];
let http: Server;
let httpAddress = '';

beforeAll(async () => {
  http = createServer((_request, response) => response.end('hello'));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  httpAddress = `127.0.0.1:${(http.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => http.close(resolve));
});
afterEach(async () => {
  await Promise.all(consumers.splice(0).map((consumer) => consumer.stop()));
});

async function runFails(
  brokers: string,
  kafka: Record<string, string> = {},
): Promise<{ error: Error & { code?: string; retriable?: boolean }; ms: number }> {
  const consumer = new HonoEventConsumer({
    brokers,
    tenant: 'DEFAULT_TENANT',
    groupId: `connect-${randomSuffix()}`,
    connectTimeoutMs,
    logger: quietLogger,
    kafka,
  });
  consumers.push(consumer);
  const started = Date.now();
  const error = await consumer.run({ event: () => undefined }).then(
    () => new Error('run() resolved'),
    (thrown: unknown) => thrown as Error,
  );
  const ms = Date.now() - started;
  expect(isHonoKafkaError(error), String(error)).toBe(true);
  expect(consumer.state).toBe('failed');
  // Never a secret, not in the message and not in the cause.
  expect(JSON.stringify({ message: error.message, cause: String(error.cause) })).not.toContain(secret);
  return { error, ms };
}

const scram = (username: string): Record<string, string> => ({
  'sasl.mechanisms': 'SCRAM-SHA-512',
  'sasl.username': username,
  'sasl.password': secret,
});

describe('run() that cannot connect', () => {
  it('names the address and says nothing listens there (connection refused)', async () => {
    const { error, ms } = await runFails('127.0.0.1:1');
    expect(error).toMatchObject({ code: 'ERR_HONO_BROKERS_DOWN', retriable: true });
    expect(error.message).toContain('bootstrap servers: 127.0.0.1:1');
    expect(error.message).toMatch(/nothing listens on that port \(connection refused\): check host and port/);
    // Not definitive (the broker may be starting): run() waits for the connect deadline, no longer.
    expect(ms).toBeGreaterThanOrEqual(connectTimeoutMs - 100);
    expect(ms).toBeLessThan(connectTimeoutMs + 3_000);
  });

  it('says that no broker answered when the port accepts connections but stays silent', async () => {
    const sockets: Socket[] = [];
    const silent = createTcpServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const { error, ms } = await runFails(address);
      expect(error).toMatchObject({ code: 'ERR_HONO_BROKERS_DOWN', retriable: true });
      expect(error.message).toContain(`bootstrap servers: ${address}`);
      expect(error.message).toMatch(/no broker answered in time: check host and port, that Kafka runs there/);
      expect(ms).toBeLessThan(connectTimeoutMs + 3_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('names the host and says it does not resolve', async () => {
    const { error, ms } = await runFails('no-such-broker.invalid:9092');
    expect(error).toMatchObject({ code: 'ERR_HONO_BROKERS_DOWN', retriable: true });
    expect(error.message).toContain('bootstrap servers: no-such-broker.invalid:9092');
    expect(error.message).toMatch(/does not resolve \(DNS\): check the spelling/);
    expect(ms).toBeLessThan(connectTimeoutMs + 3_000);
  });

  it('says at once that a port which is not Kafka answered (here an HTTP server)', async () => {
    const { error, ms } = await runFails(httpAddress);
    expect(error).toMatchObject({ code: 'ERR_HONO_PROTOCOL_MISMATCH', retriable: false });
    expect(error.message).toContain(`bootstrap servers: ${httpAddress}`);
    expect(error.message).toMatch(/not a Kafka broker: check the port \(its answer starts with "HTTP"\)/);
    expect(ms).toBeLessThan(connectTimeoutMs);
  });

  it('says at once that the listener does not speak TLS', async () => {
    const { bootstrapServers } = kafkaEnvironment();
    const { error, ms } = await runFails(bootstrapServers, { 'security.protocol': 'ssl' });
    expect(error).toMatchObject({ code: 'ERR_HONO_PROTOCOL_MISMATCH', retriable: false });
    expect(error.message).toContain(`bootstrap servers: ${bootstrapServers}`);
    expect(error.message).toMatch(/speaks TLS but the listener does not/);
    expect(error.message).toMatch(/use the cluster's TLS port, or drop TLS/);
    expect(ms).toBeLessThan(connectTimeoutMs);
  });

  it('says at once that the listener does not use SASL, not that the password is wrong', async () => {
    const { bootstrapServers } = kafkaEnvironment();
    const { error, ms } = await runFails(bootstrapServers, {
      'security.protocol': 'sasl_plaintext',
      ...scram(saslEnvironment().username),
    });
    expect(error).toMatchObject({ code: 'ERR_HONO_PROTOCOL_MISMATCH', retriable: false });
    expect(error.message).toContain(`bootstrap servers: ${bootstrapServers}`);
    expect(error.message).toMatch(/does not accept this SASL login \(it does not use SASL/);
    expect(error.message).not.toMatch(/password/i);
    expect(ms).toBeLessThan(connectTimeoutMs);
  });

  it('says that a SASL_SSL listener closed the connection when the client speaks TLS without SASL', async () => {
    const { saslSslBootstrapServers, caFile } = tlsEnvironment();
    const { error } = await runFails(saslSslBootstrapServers, {
      'security.protocol': 'ssl',
      'ssl.ca.location': caFile,
    });
    expect(error).toMatchObject({ code: 'ERR_HONO_PROTOCOL_MISMATCH', retriable: false });
    expect(error.message).toContain(`bootstrap servers: ${saslSslBootstrapServers}`);
    expect(error.message).toMatch(/its listener most likely expects TLS or SASL/);
  });

  it('says that a TLS listener closed the connection when the client speaks plaintext', async () => {
    const { sslBootstrapServers } = tlsEnvironment();
    const { error } = await runFails(sslBootstrapServers);
    expect(error).toMatchObject({ code: 'ERR_HONO_PROTOCOL_MISMATCH', retriable: false });
    expect(error.message).toContain(`bootstrap servers: ${sslBootstrapServers}`);
    expect(error.message).toMatch(
      /closed the connection at once: its listener most likely expects TLS or SASL/,
    );
  });
});

describe('run() while the broker comes up', () => {
  it('connects once the address starts answering within connectTimeoutMs, after failed attempts', async () => {
    // A TCP proxy to the broker that starts listening only after the first connect attempt (1.5 s) failed.
    const [host, port] = (kafkaEnvironment().bootstrapServers.split(',')[0] ?? '').split(':');
    const reserve = createTcpServer();
    await new Promise<void>((resolve) => reserve.listen(0, '127.0.0.1', resolve));
    const proxyPort = (reserve.address() as AddressInfo).port;
    await new Promise((resolve) => reserve.close(resolve));
    const proxy = createTcpServer((client) => {
      const upstream = connect(Number(port), host ?? '127.0.0.1');
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    const topic = await createTestTopic(1);
    await topic.produce(sequencedEvents(topic.tenant, ['d'], 1, 0));
    const opening = new Promise<void>((resolve) =>
      setTimeout(() => proxy.listen(proxyPort, '127.0.0.1', resolve), 2_500),
    );
    const consumer = topic.consumer({ brokers: `127.0.0.1:${proxyPort}`, connectTimeoutMs: 15_000 });
    try {
      const started = Date.now();
      const received: string[] = [];
      await consumer.run({ event: (event) => void received.push(event.deviceId) });
      expect(consumer.state).toBe('running');
      expect(Date.now() - started).toBeGreaterThanOrEqual(2_400);
      // The client of the later attempt works: it consumes.
      await waitFor(() => received.length === 1, 'the event');
      expect(received).toEqual(['d']);
    } finally {
      await opening;
      await topic.cleanup();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});
