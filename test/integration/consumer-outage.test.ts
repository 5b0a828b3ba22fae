/**
 * A broker outage on a broker of this test's own: the broker is stopped for 20 s mid-run and restarted
 * on its data. Consumption resumes, nothing is lost, and `health()` showed the outage.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HonoEventConsumer } from '../../src/consumer/hono-event-consumer.js';
import type { HealthSnapshot } from '../../src/consumer/hono-event-consumer.js';
import { KafkaCluster } from '../harness/kafka-cluster.js';
import { randomSuffix, TestAdmin, TestProducer } from './clients.js';
import { quietLogger, sequencedEvents, waitFor } from './consumer-helpers.js';

const outageMs = 20_000;

describe('a broker outage', () => {
  let cluster: KafkaCluster;
  beforeAll(async () => {
    cluster = await KafkaCluster.start();
  });
  afterAll(async () => {
    await cluster.stop();
  });

  it('is survived: consumption resumes after the broker returns, nothing is lost, health() shows it', async () => {
    const tenant = `outage-${randomSuffix()}`;
    const admin = new TestAdmin(cluster.bootstrapServers);
    await admin.createTopic(`hono.event.${tenant}`, 2);
    const producer = new TestProducer(cluster.bootstrapServers);
    await producer.connect();
    await producer.send(
      sequencedEvents(
        tenant,
        Array.from({ length: 20 }, (_, i) => `d${i}`),
        20,
      ),
    );
    await producer.disconnect();
    admin.disconnect();

    const consumer = new HonoEventConsumer({
      brokers: cluster.bootstrapServers,
      tenant,
      groupId: `outage-${randomSuffix()}`,
      commitIntervalMs: 200,
      concurrency: 2,
      logger: quietLogger,
      kafka: { 'reconnect.backoff.max.ms': 1000 },
    });
    const handled = new Set<string>();
    const errors: string[] = [];
    consumer.on('error', (error) => errors.push(error.code));
    try {
      await consumer.run({
        event: async (event) => {
          await new Promise((resolve) => setTimeout(resolve, 20));
          handled.add(`${event.partition}:${event.offset}`);
        },
      });
      await waitFor(() => handled.size >= 100, '100 handled before the outage');

      const snapshots: HealthSnapshot[] = [];
      const sampler = setInterval(() => snapshots.push(consumer.health()), 250);
      await cluster.node(1).stop();
      await new Promise((resolve) => setTimeout(resolve, outageMs));
      const duringOutage = [...snapshots];
      await cluster.restartNode(1);
      await waitFor(() => handled.size === 400, 'all 400 handled after the outage', 90_000);
      await waitFor(
        () => consumer.health().partitions.reduce((sum, p) => sum + (p.committed ?? 0), 0) === 400,
        'every position committed after the outage',
        60_000,
      );
      clearInterval(sampler);

      expect(duringOutage.some((snapshot) => !snapshot.connected)).toBe(true);
      expect(errors).toContain('ERR_HONO_BROKERS_DOWN');
      expect(consumer.health().connected).toBe(true);
    } finally {
      await consumer.stop();
    }
  });

  it('shows the brokers back in health() on an idle topic, where no record or commit tells', async () => {
    const tenant = `idle-${randomSuffix()}`;
    const admin = new TestAdmin(cluster.bootstrapServers);
    await admin.createTopic(`hono.event.${tenant}`, 1);
    admin.disconnect();
    const consumer = new HonoEventConsumer({
      brokers: cluster.bootstrapServers,
      tenant,
      groupId: `idle-${randomSuffix()}`,
      logger: quietLogger,
      kafka: { 'reconnect.backoff.max.ms': 1000 },
    });
    try {
      await consumer.run({ event: () => undefined });
      await waitFor(() => consumer.health().partitions.length === 1, 'the partition assigned');
      await cluster.node(1).stop();
      await waitFor(() => !consumer.health().connected, 'brokers reported down', 60_000);
      await cluster.restartNode(1);
      await waitFor(() => consumer.health().connected, 'brokers seen back', 60_000);
    } finally {
      await consumer.stop();
    }
  });

  // Last: it leaves the broker stopped (the cluster's stop() copes with that).
  it('does not hold stop() past drainTimeoutMs + closeTimeoutMs while the broker is down', async () => {
    const tenant = `stop-down-${randomSuffix()}`;
    const admin = new TestAdmin(cluster.bootstrapServers);
    await admin.createTopic(`hono.event.${tenant}`, 1);
    admin.disconnect();
    const producer = new TestProducer(cluster.bootstrapServers);
    await producer.connect();
    await producer.send(sequencedEvents(tenant, ['d'], 10));
    await producer.disconnect();
    const drainTimeoutMs = 1_000;
    const closeTimeoutMs = 4_000;
    const consumer = new HonoEventConsumer({
      brokers: cluster.bootstrapServers,
      tenant,
      groupId: `stop-down-${randomSuffix()}`,
      // Nothing committed before stop(): its last commit has work to do, against a broker that is gone.
      commitIntervalMs: 600_000,
      drainTimeoutMs,
      closeTimeoutMs,
      logger: quietLogger,
    });
    let handled = 0;
    try {
      await consumer.run({
        event: () => {
          handled += 1;
        },
      });
      await waitFor(() => handled === 10, 'the 10 records handled');
      await cluster.node(1).stop();
    } finally {
      const startedAt = Date.now();
      await consumer.stop();
      const tookMs = Date.now() - startedAt;
      expect(tookMs).toBeLessThanOrEqual(drainTimeoutMs + closeTimeoutMs + 250);
    }
  });
});
