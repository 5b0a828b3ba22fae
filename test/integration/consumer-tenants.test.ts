/**
 * Telemetry and every tenant on the real broker (issue 14): events and telemetry of a tenant through one
 * consumer, each saying where it came from; `tenant: '*'` reading the topic of a tenant created while it
 * runs, from its first record, within 15 s, under the classic protocol and under KIP-848
 * (`groupProtocol: 'consumer'`), where the broker matches the pattern.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HonoEventConsumer } from '../../src/consumer/hono-event-consumer.js';
import type { HonoEventConsumerOptions } from '../../src/consumer/options.js';
import { HonoSimulator } from '../../src/testing/hono-simulator.js';
import type { HonoEvent } from '../../src/wire/types.js';
import { randomSuffix, TestAdmin } from './clients.js';
import { quietLogger, waitFor } from './consumer-helpers.js';
import { kafkaEnvironment } from './kafka-env.js';

const { bootstrapServers } = kafkaEnvironment();

let admin: TestAdmin;
let simulator: HonoSimulator;
const topics: string[] = [];
const consumers: HonoEventConsumer[] = [];

beforeEach(() => {
  admin = new TestAdmin(bootstrapServers);
  simulator = new HonoSimulator({ brokers: bootstrapServers, logger: quietLogger });
});

afterEach(async () => {
  await Promise.all(consumers.splice(0).map((consumer) => consumer.stop()));
  await simulator.close();
  for (const topic of topics.splice(0)) await admin.deleteTopic(topic);
  admin.disconnect();
});

async function createTopic(topic: string, partitions = 2): Promise<void> {
  topics.push(topic);
  await admin.createTopic(topic, partitions);
}

/** A running consumer that collects what it handles. */
async function consume(options: Omit<HonoEventConsumerOptions, 'brokers' | 'groupId' | 'logger'>) {
  const seen: HonoEvent[] = [];
  const assigned = new Set<string>();
  const consumer = new HonoEventConsumer({
    brokers: bootstrapServers,
    groupId: `it-tenants-${randomSuffix()}`,
    logger: quietLogger,
    commitIntervalMs: 200,
    ...options,
  });
  consumers.push(consumer);
  consumer.on('assigned', (partitions) => {
    for (const { topic } of partitions) assigned.add(topic);
  });
  await consumer.run({
    event: (event) => {
      seen.push(event);
    },
  });
  return { consumer, seen, assigned };
}

describe('telemetry and events', () => {
  it('reads both endpoints of a tenant, each event with its endpoint, tenant and qos', async () => {
    const tenant = `it-tel-${randomSuffix()}`;
    await createTopic(`hono.event.${tenant}`);
    await createTopic(`hono.telemetry.${tenant}`);
    const device = simulator.device(tenant, 'sensor-1');
    await device.sendTelemetry('t0', 'text/plain', 0);
    await device.sendTelemetry('t1', 'text/plain', 1);
    await device.sendEvent('e1', 'text/plain');

    const { seen } = await consume({ tenant, endpoints: ['event', 'telemetry'] });
    await waitFor(() => seen.length === 3, 'three records');
    const described = seen
      .map(
        (event) =>
          `${event.endpoint}/${event.tenantId}/qos${String(event.qos)}/${event.type === 'event' ? event.payload.toString() : ''}`,
      )
      .sort();
    expect(described).toStrictEqual([
      `event/${tenant}/qos1/e1`,
      `telemetry/${tenant}/qos0/t0`,
      `telemetry/${tenant}/qos1/t1`,
    ]);
  });
});

describe("qos0: 'atMostOnce'", () => {
  it('commits past qos-0 telemetry whose handler still runs, never past an unfinished qos-1 record', async () => {
    const tenant = `it-qos0-${randomSuffix()}`;
    const topic = `hono.telemetry.${tenant}`;
    await createTopic(topic, 1);
    const device = simulator.device(tenant, 'sensor-1');
    const groupId = `it-qos0-${randomSuffix()}`;
    const started: string[] = [];
    const consumer = new HonoEventConsumer({
      brokers: bootstrapServers,
      groupId,
      tenant,
      endpoints: 'telemetry',
      qos0: 'atMostOnce',
      logger: quietLogger,
      commitIntervalMs: 200,
      drainTimeoutMs: 0,
    });
    consumers.push(consumer);
    await consumer.run({
      // Never finishes: the handler of each record hangs until the consumer is gone.
      event: (event) => {
        started.push(event.type === 'event' ? event.payload.toString() : '');
        return new Promise(() => undefined);
      },
    });
    await device.sendTelemetry('q0-a', 'text/plain', 0);
    await device.sendTelemetry('q0-b', 'text/plain', 0);
    // One device: b waits behind a's hanging handler, and both offsets are committed.
    await waitFor(() => started.length === 1, 'the first handler call');
    await waitFor(
      () => consumer.health().partitions[0]?.committed === 2,
      'the commit past both qos-0 records',
    );
    expect((await admin.committedOffsets(groupId, topic, [0])).get(0)).toBe(2);
    expect(started).toStrictEqual(['q0-a']);
    await device.sendTelemetry('q1-c', 'text/plain', 1);
    await waitFor(() => consumer.health().partitions[0]?.lag === 1, 'the qos-1 record fetched');
    await new Promise((resolve) => setTimeout(resolve, 600));
    // The qos-1 record is not handled (its device waits): nothing is committed past it.
    expect((await admin.committedOffsets(groupId, topic, [0])).get(0)).toBe(2);
  }, 60_000);
});

describe.each(['classic', 'consumer'] as const)("tenant '*' (group protocol %s)", (groupProtocol) => {
  it('reads a tenant created while it runs from its first record, within 15 s', async () => {
    // Names of this run only: other tests' tenants match the pattern too, and are ignored here.
    const run = randomSuffix();
    const before = `it-all-${run}-a`;
    await createTopic(`hono.telemetry.${before}`);
    // Written before the start: startFrom 'latest' skips it.
    await simulator.device(before, 'd').sendTelemetry('before the start', 'text/plain', 1);
    const { seen, assigned } = await consume({
      tenant: '*',
      endpoints: ['event', 'telemetry'],
      startFrom: 'latest',
      groupProtocol,
    });
    const ofRun = (): HonoEvent[] => seen.filter((event) => event.tenantId.includes(run));
    await waitFor(
      () => assigned.has(`hono.telemetry.${before}`),
      'the assignment of the existing tenant',
      30_000,
    );

    const created = `it-all-${run}-b`;
    await createTopic(`hono.event.${created}`);
    const createdAt = Date.now();
    // Written at once, long before the consumer is assigned the new topic: it still reads it.
    await simulator.device(created, 'd').sendEvent('first', 'text/plain');
    await waitFor(() => ofRun().length > 0, 'the new tenant’s first record', 15_000);
    const pickedUpMs = Date.now() - createdAt;
    expect(pickedUpMs).toBeLessThan(15_000);
    expect(ofRun().map((event) => `${event.endpoint}/${event.tenantId}`)).toStrictEqual([`event/${created}`]);
  }, 60_000);

  it('goes on with the other tenants when a tenant topic is deleted', async () => {
    const run = randomSuffix();
    const [gone, staying] = [`it-del-${run}-a`, `it-del-${run}-b`];
    await createTopic(`hono.event.${gone}`, 1);
    await createTopic(`hono.event.${staying}`, 1);
    const { consumer, seen, assigned } = await consume({ tenant: '*', groupProtocol });
    const errors: string[] = [];
    consumer.on('error', (error) => errors.push(error.code));
    const ofRun = (tenant: string): number => seen.filter((event) => event.tenantId === tenant).length;
    await waitFor(
      () => assigned.has(`hono.event.${gone}`) && assigned.has(`hono.event.${staying}`),
      'both tenants assigned',
      30_000,
    );
    await simulator.device(gone, 'd').sendEvent('1', 'text/plain');
    await waitFor(() => ofRun(gone) === 1, 'the record of the tenant that goes');

    await admin.deleteTopic(`hono.event.${gone}`);
    await simulator.device(staying, 'd').sendEvent('2', 'text/plain');
    await waitFor(() => ofRun(staying) === 1, 'the other tenant’s record after the deletion', 30_000);
    // A tenant created after the deletion is still picked up: the group keeps rebalancing.
    const later = `it-del-${run}-c`;
    await createTopic(`hono.event.${later}`, 1);
    await simulator.device(later, 'd').sendEvent('3', 'text/plain');
    await waitFor(() => ofRun(later) === 1, 'a tenant created after the deletion', 30_000);
    expect(consumer.health()).toMatchObject({ state: 'running', connected: true });
    expect(errors).toStrictEqual([]);
  }, 90_000);
});
