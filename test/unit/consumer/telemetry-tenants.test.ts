/**
 * Telemetry and every tenant on the fake Kafka (issue 14): qos-0 records under `qos0: 'atMostOnce'`
 * never hold back a commit and are not retried; a pattern subscription subscribes to patterns and
 * starts the topics created since the start at their beginning (`startFrom: 'latest'`); records of a
 * topic that is no Hono topic reach no handler.
 */
import { describe, expect, it, vi } from 'vitest';
import type { HonoEventConsumerOptions } from '../../../src/consumer/options.js';
import type { HandlerError } from '../../../src/errors.js';
import { encodeDataEvent } from '../../../src/wire/encode.js';
import type { HonoEvent } from '../../../src/wire/types.js';
import { fakeKafka } from '../fakes/fake-kafka.js';
import { fakeKafkaPerTest } from '../fakes/per-test.js';

const telemetry = 'hono.telemetry.t';
const fake = fakeKafkaPerTest([telemetry]);
const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };

/** A data event's payload as text. */
function payloadOf(event: HonoEvent): string {
  return event.type === 'event' ? event.payload.toString() : event.type;
}

/** A telemetry record of a device with the given qos. */
function telemetryRecord(deviceId: string, qos: 0 | 1, payload: string) {
  return encodeDataEvent({
    tenantId: 't',
    deviceId,
    endpoint: 'telemetry',
    qos,
    payload,
    contentType: 'text/plain',
  });
}

async function started(
  handler: (event: HonoEvent) => Promise<void> | void,
  options: Partial<HonoEventConsumerOptions> = {},
) {
  const consumer = fake.consumer({
    brokers: 'kafka:9092',
    tenant: 't',
    groupId: 'g',
    endpoints: 'telemetry',
    commitIntervalMs: 100,
    retry: { maxAttempts: 3, initialDelayMs: 1_000, jitter: 0 },
    logger,
    ...options,
  });
  const running = consumer.run({ event: (event) => handler(event) });
  await vi.advanceTimersByTimeAsync(0);
  await running;
  fakeKafka.client.rebalance('assign', [{ topic: telemetry, partition: 0 }]);
  return consumer;
}

describe('qos 0 at most once', () => {
  it('commits past a qos-0 record whose handler still runs, but not past a qos-1 record', async () => {
    const release: (() => void)[] = [];
    const handled: string[] = [];
    await started(
      async (event) => {
        await new Promise<void>((resolve) => release.push(resolve));
        handled.push(payloadOf(event));
      },
      { qos0: 'atMostOnce' },
    );
    fakeKafka.broker.append(0, telemetryRecord('a', 0, 'a0'));
    fakeKafka.broker.append(0, telemetryRecord('b', 0, 'b0'));
    await vi.advanceTimersByTimeAsync(300);
    // Both handlers still run; their offsets counted as done when fetched.
    expect(release).toHaveLength(2);
    expect(fakeKafka.broker.committed(telemetry, 0)).toBe(2);

    fakeKafka.broker.append(0, telemetryRecord('c', 1, 'c1'));
    fakeKafka.broker.append(0, telemetryRecord('d', 0, 'd0'));
    await vi.advanceTimersByTimeAsync(300);
    // The qos-1 record at offset 2 holds the position, however the qos-0 record after it fares.
    expect(fakeKafka.broker.committed(telemetry, 0)).toBe(2);
    for (const resolve of release.splice(0)) resolve();
    await vi.advanceTimersByTimeAsync(300);
    expect(fakeKafka.broker.committed(telemetry, 0)).toBe(4);
    expect(handled.sort()).toStrictEqual(['a0', 'b0', 'c1', 'd0']);
  });

  it('calls a failing qos-0 handler once and reports it skipped; a qos-1 record is retried', async () => {
    const calls: string[] = [];
    const consumer = await started(
      (event) => {
        calls.push(payloadOf(event));
        throw new Error('sink down');
      },
      { qos0: 'atMostOnce', onFailure: 'skip' },
    );
    const errors: HandlerError[] = [];
    const skipped: number[] = [];
    consumer.on('handlerError', (error) => errors.push(error));
    consumer.on('skipped', (info) => skipped.push(info.offset));
    fakeKafka.broker.append(0, telemetryRecord('a', 0, 'a0'));
    fakeKafka.broker.append(0, telemetryRecord('b', 1, 'b1'));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls.filter((payload) => payload === 'a0')).toHaveLength(1);
    expect(calls.filter((payload) => payload === 'b1')).toHaveLength(3);
    expect(skipped).toStrictEqual([0, 1]);
    expect(errors).toHaveLength(4);
  });

  it('keeps a device’s qos-0 and qos-1 records in order', async () => {
    const handled: string[] = [];
    await started(
      async (event) => {
        await new Promise((resolve) => setTimeout(resolve, event.qos === 1 ? 50 : 10));
        handled.push(payloadOf(event));
      },
      { qos0: 'atMostOnce' },
    );
    for (const [qos, payload] of [
      [1, 'p1'],
      [0, 'p2'],
      [1, 'p3'],
      [0, 'p4'],
    ] as const) {
      fakeKafka.broker.append(0, telemetryRecord('a', qos, payload));
    }
    await vi.advanceTimersByTimeAsync(1_000);
    expect(handled).toStrictEqual(['p1', 'p2', 'p3', 'p4']);
  });

  it('holds at most maxUncommitted unhandled qos-0 records per partition: the most a crash loses', async () => {
    const consumer = await started(() => new Promise(() => undefined), {
      qos0: 'atMostOnce',
      maxUncommitted: 10,
    });
    for (let index = 0; index < 50; index++)
      fakeKafka.broker.append(0, telemetryRecord('a', 0, `a${String(index)}`));
    await vi.advanceTimersByTimeAsync(1_000);
    const health = consumer.health();
    // Every fetched offset is committed (at most once), but fetching stopped at the bound.
    expect(health.inFlight + health.buffered).toBe(10);
    expect(health.partitions[0]?.pausedFor).toStrictEqual(['backlog']);
    expect(fakeKafka.broker.committed(telemetry, 0)).toBe(10);
  });

  it('handles qos-0 records at least once by default: nothing is committed past a running handler', async () => {
    const release: (() => void)[] = [];
    await started(async () => {
      await new Promise<void>((resolve) => release.push(resolve));
    });
    fakeKafka.broker.append(0, telemetryRecord('a', 0, 'a0'));
    await vi.advanceTimersByTimeAsync(300);
    expect(fakeKafka.broker.committed(telemetry, 0) ?? 0).toBe(0);
    for (const resolve of release.splice(0)) resolve();
    await vi.advanceTimersByTimeAsync(300);
    expect(fakeKafka.broker.committed(telemetry, 0)).toBe(1);
  });
});

describe('every tenant', () => {
  it("subscribes to the patterns, and starts a topic created since the start at its beginning with startFrom 'latest'", async () => {
    fakeKafka.broker.topics.add('hono.event.old');
    const consumer = fake.consumer({
      brokers: 'kafka:9092',
      tenant: '*',
      groupId: 'g',
      endpoints: ['event', 'telemetry'],
      startFrom: 'latest',
      logger,
    });
    const running = consumer.run({ event: () => undefined });
    await vi.advanceTimersByTimeAsync(0);
    await running;
    expect(fakeKafka.client.subscribed).toStrictEqual(['^hono\\.event\\..+', '^hono\\.telemetry\\..+']);
    // No "topic does not exist" warning for a pattern.
    expect(logger.warn).not.toHaveBeenCalled();

    fakeKafka.broker.topics.add('hono.event.new');
    fakeKafka.client.rebalance('assign', [
      { topic: 'hono.event.old', partition: 0 },
      { topic: 'hono.event.new', partition: 0 },
    ]);
    await vi.advanceTimersByTimeAsync(100);
    const assign = fakeKafka.client.calls.find((call) => call.name === 'assign');
    expect(assign?.partitions).toStrictEqual([
      { topic: 'hono.event.old', partition: 0 },
      { topic: 'hono.event.new', partition: 0, offset: -2 },
    ]);
  });

  it('hands the records of a topic that is no Hono topic to no handler, and commits past them', async () => {
    const handled: string[] = [];
    const invalid: string[] = [];
    const consumer = fake.consumer({
      brokers: 'kafka:9092',
      tenant: '*',
      groupId: 'g',
      commitIntervalMs: 100,
      logger,
    });
    const decodeErrors: string[] = [];
    consumer.on('decodeError', (error) => decodeErrors.push(error.code));
    const running = consumer.run({
      event: (event) => {
        handled.push(event.tenantId);
      },
      invalid: (error) => {
        invalid.push(error.code);
      },
    });
    await vi.advanceTimersByTimeAsync(0);
    await running;
    fakeKafka.client.rebalance('assign', [
      { topic: 'not-hono', partition: 0 },
      { topic: 'hono.event.a', partition: 0 },
    ]);
    fakeKafka.broker.produce('not-hono', 0, 'x');
    fakeKafka.broker.produce('not-hono', 0, 'y');
    fakeKafka.broker.produce('hono.event.a', 0, 'z');
    await vi.advanceTimersByTimeAsync(300);
    expect(handled).toStrictEqual(['a']);
    expect(invalid).toStrictEqual([]);
    expect(decodeErrors).toStrictEqual(['ERR_HONO_NOT_HONO_TOPIC', 'ERR_HONO_NOT_HONO_TOPIC']);
    expect(fakeKafka.broker.committed('not-hono', 0)).toBe(2);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith(expect.stringMatching(/^topic not-hono is not a Hono topic/), {
      topic: 'not-hono',
    });
  });
});
