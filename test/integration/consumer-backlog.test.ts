/**
 * `maxUncommitted` on the real broker: behind a slow record, a partition fetches at most that many
 * offsets, pauses (`backlog`), and after the slow record finished resumes where it stopped: librdkafka
 * drops the paused partition's prefetched records and fetches them again, and nothing is skipped or
 * handled twice.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { PauseReason } from '../../src/consumer/events.js';
import { createTestTopic, deferred, sequencedEvents, type TestTopic, waitFor } from './consumer-helpers.js';

let topic: TestTopic | undefined;
afterEach(async () => {
  await topic?.cleanup();
  topic = undefined;
});

describe('maxUncommitted', () => {
  it('pauses a partition behind a slow record at the bound, then resumes and handles every record once', async () => {
    topic = await createTestTopic(1);
    const devices = ['slow', ...Array.from({ length: 9 }, (_, i) => `d${i}`)];
    // Offset 0 is the slow device's first record; 400 records in all.
    await topic.produce(sequencedEvents(topic.tenant, devices, 40));
    const consumer = topic.consumer({ maxUncommitted: 50, batchSize: 20, concurrency: 8 });
    const pauses: PauseReason[] = [];
    const resumes: PauseReason[] = [];
    consumer.on('paused', (_partitions, reason) => pauses.push(reason));
    consumer.on('resumed', (_partitions, reason) => resumes.push(reason));
    const release = deferred();
    const handled: number[] = [];
    await consumer.run({
      event: async (event) => {
        if (event.offset === 0) await release.promise;
        handled.push(event.offset);
      },
    });
    await waitFor(() => pauses.includes('backlog'), 'the pause at the bound');
    // Long enough for a partition that kept fetching to take all 400 records.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(Math.max(...handled)).toBeLessThan(50);
    expect(consumer.health().partitions[0]).toMatchObject({ committable: 0, pausedFor: ['backlog'] });
    // Nothing past the slow record is committed (-1001: nothing at all).
    expect([0, -1001, undefined]).toContain((await topic.committed()).get(0));

    release.resolve();
    await waitFor(() => handled.length >= 400, 'all 400 records', 30_000);
    await waitFor(() => consumer.health().partitions[0]?.committed === 400, 'the commit of all 400');
    expect(resumes).toContain('backlog');
    // Every offset exactly once: nothing skipped across the pause, nothing fetched again handled twice.
    expect([...handled].sort((a, b) => a - b)).toEqual(Array.from({ length: 400 }, (_, i) => i));
    await consumer.stop();
  });
});
