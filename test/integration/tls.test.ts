/**
 * TLS on a real listener, as Hono's sandbox and most production clusters use it: SSL with the cluster's
 * CA file, SASL_SSL with SCRAM-SHA-512; a CA that did not sign the broker's certificate, and a
 * certificate that names another host, fail within the connect deadline with ERR_HONO_TLS and a message
 * that says what to do.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HonoEventConsumer } from '../../src/consumer/hono-event-consumer.js';
import { isHonoKafkaError } from '../../src/errors.js';
import type { ConnectionEvent } from '../../src/wire/types.js';
import { encodeConnectionEvent } from '../../src/wire/encode.js';
import { randomSuffix, TestProducer } from './clients.js';
import { createTestTopic, quietLogger, type TestTopic, waitFor } from './consumer-helpers.js';
import { tlsEnvironment } from './kafka-env.js';

const tls = tlsEnvironment();

let topic: TestTopic | undefined;
const consumers: HonoEventConsumer[] = [];
afterEach(async () => {
  await Promise.all(consumers.splice(0).map((consumer) => consumer.stop()));
  await topic?.cleanup();
  topic = undefined;
});

function consumer(brokers: string, tenant: string, kafka: Record<string, string>, connectTimeoutMs = 20_000) {
  const created = new HonoEventConsumer({
    brokers,
    tenant,
    groupId: `tls-${randomSuffix()}`,
    connectTimeoutMs,
    logger: quietLogger,
    kafka,
  });
  consumers.push(created);
  return created;
}

/** Produces one connection event over a TLS listener and consumes it over another (or the same) one. */
async function roundTrip(
  produceOver: { brokers: string; kafka: Record<string, string> },
  consumeOver: { brokers: string; kafka: Record<string, string> },
): Promise<ConnectionEvent[]> {
  topic = await createTestTopic(1);
  const producer = new TestProducer(produceOver.brokers, produceOver.kafka);
  await producer.connect();
  try {
    await producer.send([
      encodeConnectionEvent({
        tenantId: topic.tenant,
        deviceId: 'tls-device',
        cause: 'connected',
        remoteId: 'r',
        source: 'hono-mqtt',
      }),
    ]);
  } finally {
    await producer.disconnect();
  }
  const received: ConnectionEvent[] = [];
  const sdk = consumer(consumeOver.brokers, topic.tenant, consumeOver.kafka);
  await sdk.run({ connection: (event) => void received.push(event) });
  await waitFor(() => received.length === 1, 'the connection event');
  return received;
}

describe('TLS', () => {
  const ssl = { 'security.protocol': 'ssl', 'ssl.ca.location': tls.caFile };
  const saslSsl = {
    'security.protocol': 'sasl_ssl',
    'ssl.ca.location': tls.caFile,
    'sasl.mechanisms': 'SCRAM-SHA-512',
    'sasl.username': tls.sasl.username,
    'sasl.password': tls.sasl.password,
  };

  it('consumes a Hono event produced over SSL, with the CA file as ssl.ca.location', async () => {
    const over = { brokers: tls.sslBootstrapServers, kafka: ssl };
    const [event] = await roundTrip(over, over);
    expect(event).toMatchObject({ type: 'connection', deviceId: 'tls-device', cause: 'connected' });
  });

  it('consumes over SASL_SSL with SCRAM-SHA-512', async () => {
    const [event] = await roundTrip(
      { brokers: tls.saslSslBootstrapServers, kafka: saslSsl },
      { brokers: tls.saslSslBootstrapServers, kafka: saslSsl },
    );
    expect(event).toMatchObject({ type: 'connection', deviceId: 'tls-device' });
  });

  /** Runs a consumer that must fail; returns the error and how long run() took. */
  async function failure(
    brokers: string,
    kafka: Record<string, string>,
    connectTimeoutMs: number,
  ): Promise<{
    error: Error & { code?: string; retriable?: boolean };
    ms: number;
    consumer: HonoEventConsumer;
  }> {
    const sdk = consumer(brokers, 'DEFAULT_TENANT', kafka, connectTimeoutMs);
    const started = Date.now();
    const error = await sdk.run({ event: () => undefined }).then(
      () => new Error('run() resolved'),
      (thrown: unknown) => thrown as Error,
    );
    return { error, ms: Date.now() - started, consumer: sdk };
  }

  it.each([
    [
      'a CA that did not sign the certificate',
      () => tls.sslBootstrapServers,
      () => tls.otherCaFile,
      [
        /it is not signed by a CA this client trusts; set ssl\.ca\.location \(on the command line --ca-file\)/,
      ],
      // What the SDK's own check found: the certificate's names and issuer.
      [
        /certificate not trusted: the certificate of .* \(IP Address:127\.0\.0\.1, issued by CN=eclipse-hono-kafka test CA\) is not signed by a CA in ssl\.ca\.location/,
      ],
    ],
    [
      'a certificate for another host name',
      () => tls.otherHostBootstrapServers,
      () => tls.caFile,
      [/it does not name the host in the bootstrap servers; check the host name/],
      [
        /certificate names another host: the certificate of .* is valid for DNS:not-this-broker\.invalid, not for 127\.0\.0\.1/,
      ],
    ],
  ])(
    'rejects %s at once, with ERR_HONO_TLS saying what to do',
    async (_name, brokers, caFile, hints, found) => {
      const connectTimeoutMs = 15_000;
      const {
        error,
        ms,
        consumer: sdk,
      } = await failure(
        brokers(),
        { 'security.protocol': 'ssl', 'ssl.ca.location': caFile() },
        connectTimeoutMs,
      );
      expect(isHonoKafkaError(error)).toBe(true);
      expect(error).toMatchObject({ name: 'KafkaClientError', code: 'ERR_HONO_TLS', retriable: false });
      expect(error.message).toContain(`bootstrap servers: ${brokers()}`);
      expect(error.message).toMatch(/TLS certificate was rejected/);
      for (const pattern of [...hints, ...found]) expect(error.message).toMatch(pattern);
      // librdkafka's own words are quoted too.
      expect(error.message).toMatch(/certificate verify failed/);
      // A rejected certificate is definitive: run() does not wait for the connect deadline.
      expect(ms).toBeLessThan(5_000);
      expect(sdk.state).toBe('failed');
    },
  );

  it('refuses a wrong SASL_SSL password with ERR_HONO_AUTHENTICATION at once, without the password', async () => {
    const wrong = `wrong-${randomSuffix()}`;
    const { error, ms } = await failure(
      tls.saslSslBootstrapServers,
      { ...saslSsl, 'sasl.password': wrong },
      15_000,
    );
    expect(error).toMatchObject({ code: 'ERR_HONO_AUTHENTICATION', retriable: false });
    expect(error.message).toContain(tls.saslSslBootstrapServers);
    expect(error.message).toMatch(/refused the login/);
    expect(ms).toBeLessThan(5_000);
    expect(JSON.stringify({ message: error.message, cause: String(error.cause) })).not.toContain(wrong);
  });
});
