/**
 * SASL_PLAINTEXT with SCRAM-SHA-512, as Hono's sandbox uses: a good login works end to end, a wrong
 * password fails with an authentication error within seconds instead of hanging.
 */
import kafka from '@confluentinc/kafka-javascript';
import { HonoEventConsumer } from '../../src/consumer/hono-event-consumer.js';
import { isHonoKafkaError } from '../../src/errors.js';
import { encodeConnectionEvent } from '../../src/wire/encode.js';
import { quietLogger, waitFor } from './consumer-helpers.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomSuffix, TestAdmin, TestConsumer, TestProducer } from './clients.js';
import { kafkaEnvironment, saslEnvironment } from './kafka-env.js';

function scram(username: string, password: string): Record<string, string> {
  return {
    'security.protocol': 'sasl_plaintext',
    'sasl.mechanisms': 'SCRAM-SHA-512',
    'sasl.username': username,
    'sasl.password': password,
  };
}

describe('SASL/SCRAM-SHA-512', () => {
  const sasl = saslEnvironment();
  const admin = new TestAdmin(kafkaEnvironment().bootstrapServers);
  const topic = `hono.event.sasl-${randomSuffix()}`;

  beforeAll(async () => {
    await admin.createTopic(topic, 1);
  });
  afterAll(async () => {
    await admin.deleteTopic(topic);
    admin.disconnect();
  });

  it('produces and consumes with the right password', async () => {
    const login = scram(sasl.username, sasl.password);
    const producer = new TestProducer(sasl.bootstrapServers, login);
    await producer.connect();
    await producer.send([{ topic, key: Buffer.from('4711'), value: Buffer.from('{}') }]);
    await producer.disconnect();

    const consumer = new TestConsumer(sasl.bootstrapServers, `sasl-${randomSuffix()}`, login);
    await consumer.connect();
    try {
      consumer.client.subscribe([topic]);
      const [message] = await consumer.consumeAtLeast(1);
      expect(message?.key?.toString()).toBe('4711');
    } finally {
      await consumer.disconnect();
    }
  });

  it('fails with an authentication error, not a hang, with a wrong password', async () => {
    const wrong = `wrong-${randomSuffix()}`;
    const consumer = new TestConsumer(
      sasl.bootstrapServers,
      `sasl-${randomSuffix()}`,
      scram(sasl.username, wrong),
    );
    const errors: kafka.LibrdKafkaError[] = [];
    const started = Date.now();
    // librdkafka reports a failed SASL login as an error event with code -1 and only a message text.
    // The promise resolves once that event arrived; vitest's test timeout bounds the wait.
    const authenticationFailed = new Promise<number>((resolve) => {
      consumer.client.on('event.error', (error) => {
        errors.push(error);
        if (/authentication failure/i.test(error.message)) resolve(Date.now() - started);
      });
    });
    // 10 s: the login attempt (TCP, SASL handshake, SCRAM exchange) must have happened before connect()
    // gives up, also on a loaded CI machine: the client reports nothing once connect() has failed.
    const outcome = await consumer.connect(10_000).then(
      () => 'connected',
      (error: unknown) => error,
    );
    // connect() gives up at its own deadline; the client delivers the queued error events after that.
    expect(outcome).toBeInstanceOf(Error);
    expect(Date.now() - started).toBeLessThan(20_000);
    // On a loaded machine (CI on 2 cores, Node.js 24) the event has come more than 10 s after connect()
    // gave up: wait up to 25 s more, so that only a client that never reports the failure fails here.
    const noEvent = new Promise<string>((resolve) => {
      setTimeout(() => {
        resolve(`no authentication failure reported; errors: ${errors.map((e) => e.message).join('; ')}`);
      }, 25_000).unref();
    });
    const reported = await Promise.race([authenticationFailed, noEvent]);
    // Logged, so that CI runs show how late the event comes (issue 15's note: it came after 20 s once).
    console.log(`[sasl] connect() gave up; authentication failure reported after ${String(reported)} ms`);
    expect(reported).toBeLessThan(35_000);
    expect(JSON.stringify(errors.map((error) => [error.message, error.stack]))).not.toContain(wrong);
    expect(String(outcome)).not.toContain(wrong);
  });

  describe('HonoEventConsumer', () => {
    it('consumes over SCRAM-SHA-512 with the right password', async () => {
      const tenant = `sasl-${randomSuffix()}`;
      await admin.createTopic(`hono.event.${tenant}`, 1);
      const producer = new TestProducer(kafkaEnvironment().bootstrapServers);
      await producer.connect();
      await producer.send([
        encodeConnectionEvent({
          tenantId: tenant,
          deviceId: '4711',
          cause: 'connected',
          remoteId: 'r',
          source: 'hono-mqtt',
        }),
      ]);
      await producer.disconnect();
      const consumer = new HonoEventConsumer({
        brokers: sasl.bootstrapServers,
        tenant,
        groupId: `sasl-${randomSuffix()}`,
        logger: quietLogger,
        kafka: scram(sasl.username, sasl.password),
      });
      const causes: string[] = [];
      try {
        await consumer.run({ connection: (event) => void causes.push(event.cause) });
        await waitFor(() => causes.length === 1, 'the connection event');
        expect(causes).toEqual(['connected']);
      } finally {
        await consumer.stop();
        await admin.deleteTopic(`hono.event.${tenant}`);
      }
    });

    it('fails with a typed authentication error that does not contain the password', async () => {
      const wrong = `wrong-${randomSuffix()}`;
      const consumer = new HonoEventConsumer({
        brokers: sasl.bootstrapServers,
        tenant: 'DEFAULT_TENANT',
        groupId: `sasl-${randomSuffix()}`,
        connectTimeoutMs: 5_000,
        logger: quietLogger,
        kafka: scram(sasl.username, wrong),
      });
      const failure = await consumer.run({ event: () => undefined }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(isHonoKafkaError(failure)).toBe(true);
      expect(failure).toMatchObject({
        name: 'KafkaClientError',
        code: 'ERR_HONO_AUTHENTICATION',
        retriable: false,
      });
      expect((failure as Error).message).not.toContain(wrong);
      expect(JSON.stringify(failure)).not.toContain(wrong);
      expect(consumer.state).toBe('failed');
      await consumer.stop();
    });
  });
});
