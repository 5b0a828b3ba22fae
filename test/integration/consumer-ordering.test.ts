/**
 * Ordering and back-pressure on the real broker: each device's events in order while different devices
 * run concurrently, and never more records in flight or buffered than the limit.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { PauseReason } from '../../src/consumer/events.js';
import type { HonoEvent } from '../../src/wire/types.js';
import { createTestTopic, deferred, sequencedEvents, type TestTopic, waitFor } from './consumer-helpers.js';

let topic: TestTopic | undefined;
afterEach(async () => {
  await topic?.cleanup();
  topic = undefined;
});

const sequenceOf = (event: HonoEvent): number =>
  event.type === 'event' ? (JSON.parse(event.payload.toString()) as { sequence: number }).sequence : -1;
const randomWork = (maxMs: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * maxMs)));

describe('ordering', () => {
  it('keeps every device in order under concurrency 50 with many devices', async () => {
    topic = await createTestTopic(3);
    const devices = Array.from({ length: 200 }, (_, i) => `device-${i}`);
    await topic.produce(sequencedEvents(topic.tenant, devices, 10));
    const last = new Map<string, number>();
    const violations: string[] = [];
    let running = 0;
    let maxRunning = 0;
    let handled = 0;
    const consumer = topic.consumer({ ordering: 'device', concurrency: 50 });
    await consumer.run({
      event: async (event) => {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        const sequence = sequenceOf(event);
        const previous = last.get(event.deviceId) ?? -1;
        if (sequence !== previous + 1) violations.push(`${event.deviceId}: ${sequence} after ${previous}`);
        await randomWork(5);
        last.set(event.deviceId, sequence);
        running -= 1;
        handled += 1;
      },
    });
    await waitFor(() => handled === 2000, 'all 2000 events', 60_000);
    expect(violations).toEqual([]);
    expect([...last.values()].every((sequence) => sequence === 9)).toBe(true);
    expect(maxRunning).toBeLessThanOrEqual(50);
    expect(maxRunning).toBeGreaterThan(10);
    await waitFor(
      () => consumer.health().partitions.reduce((sum, p) => sum + (p.committed ?? 0), 0) === 2000,
      'every position committed',
    );
  });

  it('handles one record at a time per partition in partition mode', async () => {
    topic = await createTestTopic(2);
    await topic.produce(sequencedEvents(topic.tenant, ['a', 'b', 'c', 'd'], 25));
    const runningPerPartition = new Map<number, number>();
    const offsetsPerPartition = new Map<number, number[]>();
    let overlap = false;
    let handled = 0;
    const consumer = topic.consumer({ ordering: 'partition', concurrency: 10 });
    await consumer.run({
      event: async (event) => {
        const now = (runningPerPartition.get(event.partition) ?? 0) + 1;
        runningPerPartition.set(event.partition, now);
        if (now > 1) overlap = true;
        offsetsPerPartition.set(event.partition, [
          ...(offsetsPerPartition.get(event.partition) ?? []),
          event.offset,
        ]);
        await randomWork(3);
        runningPerPartition.set(event.partition, now - 1);
        handled += 1;
      },
    });
    await waitFor(() => handled === 100, 'all 100 events');
    expect(overlap).toBe(false);
    for (const offsets of offsetsPerPartition.values()) {
      expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    }
  });
});

describe('back-pressure', () => {
  it('pauses the partitions holding their share at maxInFlight and resumes them, while polling goes on', async () => {
    // Handlers hold their records until the consumer paused: full for longer than its patience (1 s), it
    // pauses the partitions holding their share (20 / 2 partitions) or more instead of waiting any longer;
    // the other one fetches on up to its share. Held records then finish, and it resumes.
    topic = await createTestTopic(2);
    await topic.produce(
      sequencedEvents(
        topic.tenant,
        Array.from({ length: 30 }, (_, i) => `d${i}`),
        10,
      ),
    );
    const consumer = topic.consumer({ ordering: 'none', concurrency: 4, maxInFlight: 20, batchSize: 50 });
    const pauses: PauseReason[] = [];
    const resumes: PauseReason[] = [];
    const paused = deferred();
    consumer.on('paused', (_partitions, reason) => {
      pauses.push(reason);
      if (reason === 'backpressure') paused.resolve();
    });
    consumer.on('resumed', (_partitions, reason) => resumes.push(reason));
    let maxHeld = 0;
    let handled = 0;
    await consumer.run({
      event: async () => {
        const { inFlight, buffered } = consumer.health();
        maxHeld = Math.max(maxHeld, inFlight + buffered);
        await paused.promise;
        await new Promise((resolve) => setTimeout(resolve, 5));
        handled += 1;
      },
    });
    await waitFor(() => handled === 300, 'all 300 events', 60_000);
    // maxInFlight, and at most one partition's share beyond it while the other is paused.
    expect(maxHeld).toBeLessThanOrEqual(20 + 10);
    expect(maxHeld).toBeGreaterThan(4);
    expect(pauses).toContain('backpressure');
    expect(resumes).toContain('backpressure');
  });
});
