/**
 * Commit after resolve, on the real broker: what the group has committed (read with the admin client)
 * never passes a record whose handler has not resolved.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { TopicPartitionOffset } from '../../src/types.js';
import { encodeDataEvent } from '../../src/wire/encode.js';
import type { HonoEvent } from '../../src/wire/types.js';
import { createTestTopic, deferred, sequencedEvents, type TestTopic, waitFor } from './consumer-helpers.js';

let topic: TestTopic | undefined;
afterEach(async () => {
  await topic?.cleanup();
  topic = undefined;
});

describe('commit after resolve', () => {
  it('does not commit a record whose handler has not resolved, and commits it once it has', async () => {
    topic = await createTestTopic(1);
    await topic.produce(sequencedEvents(topic.tenant, ['a', 'b', 'c'], 1));
    const gate = deferred();
    const finished = new Set<number>();
    const consumer = topic.consumer({ ordering: 'none' });
    const commits: TopicPartitionOffset[][] = [];
    consumer.on('committed', (offsets) => commits.push([...offsets]));
    await consumer.run({
      event: async (event) => {
        if (event.offset === 1) await gate.promise;
        finished.add(event.offset);
      },
    });

    await waitFor(() => finished.has(0) && finished.has(2), 'records 0 and 2 handled');
    await waitFor(() => commits.flat().some((c) => c.offset === 1), 'the commit of record 0');
    expect(consumer.health().partitions[0]).toMatchObject({ committable: 1, committed: 1, lag: 2 });
    expect(await topic.committed()).toEqual(new Map([[0, 1]]));

    gate.resolve();
    await waitFor(() => commits.flat().some((c) => c.offset === 3), 'the commit of all three');
    expect(await topic.committed()).toEqual(new Map([[0, 3]]));
    expect(commits.flat().map((c) => c.offset)).toEqual([1, 3]);
    expect(consumer.health().partitions[0]?.lag).toBe(0);
  });

  it('commits only the contiguous prefix when handlers finish out of order', async () => {
    topic = await createTestTopic(1);
    const devices = Array.from({ length: 10 }, (_, i) => `device-${i}`);
    await topic.produce(sequencedEvents(topic.tenant, devices, 1));
    const gates = devices.map(() => deferred());
    const finished = new Set<number>();
    const violations: string[] = [];
    const consumer = topic.consumer({ ordering: 'none', concurrency: 10 });
    consumer.on('committed', (offsets) => {
      for (const { offset } of offsets) {
        for (let earlier = 0; earlier < offset; earlier++) {
          if (!finished.has(earlier)) violations.push(`committed ${offset} before ${earlier} finished`);
        }
      }
    });
    const started = new Set<number>();
    await consumer.run({
      event: async (event: HonoEvent) => {
        started.add(event.offset);
        await gates[event.offset]?.promise;
        finished.add(event.offset);
      },
    });
    await waitFor(() => started.size === 10, 'all ten handlers running');

    // Finish in reverse order: nothing may be committed until record 0 finished.
    for (let offset = 9; offset >= 1; offset--) gates[offset]?.resolve();
    await waitFor(() => finished.size === 9, 'records 1..9 finished');
    expect(consumer.health().partitions[0]?.committable).toBe(0);
    // Nothing past record 0: no commit yet (-1001), or position 0 itself (a periodic commit pins where the
    // group started, which matters with startFrom 'latest').
    expect([-1001, 0]).toContain((await topic.committed()).get(0));

    gates[0]?.resolve();
    await waitFor(() => consumer.health().partitions[0]?.committed === 10, 'the commit of all ten');
    expect(await topic.committed()).toEqual(new Map([[0, 10]]));
    expect(violations).toEqual([]);
  });

  it('drains in-flight work on stop(), commits it, and a restarted consumer resumes after it', async () => {
    topic = await createTestTopic(1);
    await topic.produce(sequencedEvents(topic.tenant, ['d'], 20));
    const handled: number[] = [];
    const first = topic.consumer({ ordering: 'partition' });
    let releaseSixth = (): void => undefined;
    const sixthStarted = new Promise<void>((started) => {
      void first.run({
        event: async (event) => {
          if (event.offset === 5) {
            started();
            await new Promise<void>((resolve) => (releaseSixth = resolve));
          }
          handled.push(event.offset);
        },
      });
    });
    await sixthStarted;
    const stopping = first.stop();
    // The in-flight record, and the records fetched behind it, finish during the drain and are committed.
    releaseSixth();
    await stopping;
    expect(first.state).toBe('stopped');
    const finished = handled.length;
    expect(finished).toBeGreaterThanOrEqual(6);
    expect(handled).toEqual(Array.from({ length: finished }, (_, i) => i));
    expect(await topic.committed()).toEqual(new Map([[0, finished]]));

    await topic.produce(sequencedEvents(topic.tenant, ['d'], 5));
    const second = topic.consumer({ ordering: 'partition' });
    const resumed: number[] = [];
    await second.run({
      event: (event) => {
        resumed.push(event.offset);
      },
    });
    await waitFor(() => resumed.length === 25 - finished, 'the remaining records');
    expect(resumed).toEqual(Array.from({ length: 25 - finished }, (_, i) => i + finished));
    await second.stop();
    expect(await topic.committed()).toEqual(new Map([[0, 25]]));
  });

  it('commits an unchanged position again at the re-commit interval, so that the broker keeps it', async () => {
    topic = await createTestTopic(1);
    await topic.produce(sequencedEvents(topic.tenant, ['a'], 2));
    const commits: number[] = [];
    const consumer = topic.consumer({ recommitIntervalMs: 300 });
    consumer.on('committed', (offsets) => commits.push(...offsets.map((o) => o.offset)));
    await consumer.run({ event: () => undefined });
    await waitFor(() => commits.filter((offset) => offset === 2).length >= 3, 'three commits of position 2');
    expect(new Set(commits)).toEqual(new Set([2]));
  });

  it('skips records whose ttl expired without calling the handler, and commits them', async () => {
    topic = await createTestTopic(1);
    const old = Date.now() - 60_000;
    await topic.produce([
      encodeDataEvent({
        tenantId: topic.tenant,
        deviceId: 'a',
        creationTime: old,
        ttl: 1_000,
        payload: '{}',
      }),
      encodeDataEvent({ tenantId: topic.tenant, deviceId: 'a', ttl: 600_000, payload: '{}' }),
    ]);
    const expired: number[] = [];
    const handled: number[] = [];
    const consumer = topic.consumer();
    consumer.on('expired', (event) => expired.push(event.offset));
    await consumer.run({ event: (event) => void handled.push(event.offset) });
    await waitFor(() => consumer.health().partitions[0]?.committed === 2, 'both committed');
    expect(expired).toEqual([0]);
    expect(handled).toEqual([1]);
  });
});

describe('stop()', () => {
  it("gets the broker's answer for each commit call's own offsets: no commit fails, and the last one is confirmed at once", async () => {
    topic = await createTestTopic(2);
    await topic.produce(sequencedEvents(topic.tenant, ['a', 'b', 'c', 'd'], 25));
    const consumer = topic.consumer({ commitIntervalMs: 20, closeTimeoutMs: 10_000 });
    const failed: unknown[] = [];
    const confirmed: TopicPartitionOffset[][] = [];
    consumer.on('commitFailed', (error) => failed.push(error));
    consumer.on('committed', (offsets) => confirmed.push([...offsets]));
    let handled = 0;
    await consumer.run({
      event: async () => {
        await new Promise((resolve) => setTimeout(resolve, 2));
        handled += 1;
      },
    });
    await waitFor(() => handled === 100, 'the 100 records handled');
    const startedAt = Date.now();
    await consumer.stop();
    // An answer matched to the wrong call would leave the last commit waiting for half of closeTimeoutMs.
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    expect(failed).toStrictEqual([]);
    expect(confirmed.length).toBeGreaterThan(1);
    const total = [...(await topic.committed()).values()].reduce((sum, offset) => sum + offset, 0);
    expect(total).toBe(100);
  });

  it('returns the same promise when called twice, and stops cleanly during the first join', async () => {
    topic = await createTestTopic(2);
    const consumer = topic.consumer();
    await consumer.run({ event: () => undefined });
    const first = consumer.stop();
    const second = consumer.stop();
    expect(second).toBe(first);
    await first;
    expect(consumer.state).toBe('stopped');
  });

  it('called while run() is still connecting, stops what run() started', async () => {
    topic = await createTestTopic(1);
    await topic.produce(sequencedEvents(topic.tenant, ['a'], 3));
    const consumer = topic.consumer();
    const handled: number[] = [];
    const running = consumer.run({ event: (event) => void handled.push(event.offset) });
    const stopping = consumer.stop();
    await running;
    await stopping;
    expect(consumer.state).toBe('stopped');
    expect(consumer.health()).toMatchObject({ state: 'stopped', connected: false, partitions: [] });
  });

  it('stops a consumer whose group is rebalancing because a second member joins', async () => {
    topic = await createTestTopic(2);
    await topic.produce(sequencedEvents(topic.tenant, ['a', 'b', 'c', 'd'], 5));
    const first = topic.consumer();
    await first.run({ event: () => new Promise((resolve) => setTimeout(resolve, 10)) });
    await waitFor(() => first.health().partitions.length === 2, 'the first owns both partitions');
    const second = topic.consumer();
    await second.run({ event: () => undefined });
    await first.stop();
    await second.stop();
    expect([first.state, second.state]).toEqual(['stopped', 'stopped']);
    const committed = await topic.committed();
    expect([...committed.values()].every((offset) => offset === -1001 || offset >= 0)).toBe(true);
  });
});

describe('a lost assignment', () => {
  it('commits nothing for the lost partitions, and every record is still handled and committed', async () => {
    topic = await createTestTopic(1);
    await topic.produce(sequencedEvents(topic.tenant, ['a', 'b', 'c'], 1));
    const consumer = topic.consumer({
      ordering: 'none',
      kafka: { 'session.timeout.ms': 6000, 'max.poll.interval.ms': 7000 },
    });
    const lost: number[] = [];
    const commits: number[] = [];
    consumer.on('lost', (partitions) => lost.push(...partitions.map((p) => p.partition)));
    consumer.on('committed', (offsets) => commits.push(...offsets.map((o) => o.offset)));
    const handled: string[] = [];
    await consumer.run({
      event: (event, context) => {
        if (event.offset === 1 && context.attempt === 1 && !handled.includes('1')) {
          // Blocks the event loop, so the client cannot poll: it leaves the group after max.poll.interval.ms.
          const until = Date.now() + 9_000;
          while (Date.now() < until) {
            /* busy */
          }
        }
        handled.push(String(event.offset));
      },
    });
    await waitFor(() => lost.length > 0, 'the lost assignment', 30_000);
    await waitFor(() => commits.includes(3), 'everything committed after re-joining', 30_000);
    // Record 1 finished in the lost epoch: that completion committed nothing, so it was handled again.
    expect(handled.filter((offset) => offset === '1').length).toBe(2);
    expect(commits.filter((offset) => offset === 2)).toEqual([]);
    expect(await topic.committed()).toEqual(new Map([[0, 3]]));
  });
});
