/**
 * A partition paused for a record that failed for good is never silent: with the default logger and no
 * `error` listener, one console line names the record, the reason and what resumes it, however often the
 * record is tried again meanwhile; stopping says that the record stays uncommitted.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestTopic, sequencedEvents, type TestTopic, waitFor } from './consumer-helpers.js';

let topic: TestTopic | undefined;

afterEach(async () => {
  await topic?.cleanup();
  topic = undefined;
  vi.restoreAllMocks();
});

describe('a partition paused for a failed handler, with the default logger', () => {
  it('prints one line with the record, the reason and what resumes it, and none per retry', async () => {
    topic = await createTestTopic(1);
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const warned = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const consumer = topic.consumer({
      logger: undefined,
      retry: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 200 },
    });
    let calls = 0;
    await consumer.run({
      event: () => {
        calls += 1;
        throw new Error('the database refused the write');
      },
    });
    await topic.produce(sequencedEvents(topic.tenant, ['sensor-1'], 1));

    await waitFor(() => printed.mock.calls.length > 0, 'the pause line', 20_000);
    await waitFor(() => calls >= 12, 'ten more tries while paused', 10_000);
    const lines = printed.mock.calls.map((call) => String(call[0]));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(
      `[eclipse-hono-kafka] partition paused: ${topic.topic}/0 at offset 0 (device sensor-1) failed for good: ` +
        `ERR_HONO_HANDLER_FAILED: handler failed on ${topic.topic}/0@0 (attempt 2): the database refused the write. ` +
        'The handler is tried again every 0.2 s (retry.maxDelayMs); the partition resumes when it succeeds. ' +
        "To move on without the record, set onFailure 'skip' or 'deadLetter' and restart. " +
        'A revoke of the partition or stop() releases it uncommitted: the record is handled again by the partition’s next owner or after a restart.',
    );
    expect(consumer.health().partitions[0]?.pausedFor).toStrictEqual(['failure']);

    await consumer.stop();
    expect(warned.mock.calls.map((call) => String(call[0]))).toContainEqual(
      expect.stringMatching(
        /^\[eclipse-hono-kafka\] paused partition released \(revoked, lost or stopping\) after \d+ s: .* at offset 0 \(device sensor-1\) stays uncommitted/,
      ),
    );
  });
});
