/**
 * Failing handlers and malformed records on the real broker: retry, skip, dead-letter and pause behave as
 * specified, and nothing is committed past a record before its outcome is final.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { HandlerError } from '../../src/errors.js';
import { encodeConnectionEvent, encodeEmptyNotification } from '../../src/wire/encode.js';
import { randomSuffix, TestConsumer } from './clients.js';
import { createTestTopic, deferred, sequencedEvents, type TestTopic, waitFor } from './consumer-helpers.js';
import { kafkaEnvironment } from './kafka-env.js';

let topic: TestTopic | undefined;
afterEach(async () => {
  await topic?.cleanup();
  topic = undefined;
});

const fastRetry = { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 50, multiplier: 2, jitter: 0 };
const text = (value: string): Buffer => Buffer.from(value, 'utf8');

describe('failing handlers', () => {
  it('retries with backoff and commits once the handler succeeds', async () => {
    topic = await createTestTopic(1);
    await topic.produce(sequencedEvents(topic.tenant, ['a'], 3));
    const attempts = new Map<number, number>();
    const retries: number[] = [];
    const consumer = topic.consumer({ ordering: 'device', retry: fastRetry });
    consumer.on('retrying', (info) => retries.push(info.offset));
    await consumer.run({
      event: (event, context) => {
        attempts.set(event.offset, context.attempt);
        if (event.offset === 1 && context.attempt < 3) throw new Error('database unavailable');
      },
    });
    await waitFor(() => consumer.health().partitions[0]?.committed === 3, 'all three committed');
    expect(retries).toEqual([1, 1]);
    expect([...attempts]).toEqual([
      [0, 1],
      [1, 3],
      [2, 1],
    ]);
  });

  it('skips a record after the last attempt with onFailure "skip", and commits past it', async () => {
    topic = await createTestTopic(1);
    await topic.produce(sequencedEvents(topic.tenant, ['a'], 3));
    const skipped: number[] = [];
    const consumer = topic.consumer({ retry: { ...fastRetry, maxAttempts: 2 }, onFailure: 'skip' });
    consumer.on('skipped', (info) => skipped.push(info.offset));
    await consumer.run({
      event: (event) => {
        if (event.offset === 1) throw new Error('poison');
      },
    });
    await waitFor(() => consumer.health().partitions[0]?.committed === 3, 'all three committed');
    expect(skipped).toEqual([1]);
    expect(await topic.committed()).toEqual(new Map([[0, 3]]));
  });

  it('writes a failed record to the dead-letter topic with its key, value and headers, then commits past it', async () => {
    topic = await createTestTopic(1);
    const deadLetterTopic = `${topic.topic}.dlq`;
    await topic.admin.createTopic(deadLetterTopic, 1);
    const records = sequencedEvents(topic.tenant, ['dev-1'], 2);
    await topic.produce(records);
    const consumer = topic.consumer({
      retry: { ...fastRetry, maxAttempts: 2 },
      onFailure: 'deadLetter',
      deadLetterTopic,
    });
    const deadLettered: number[] = [];
    consumer.on('deadLettered', (info) => deadLettered.push(info.offset));
    await consumer.run({
      event: (event) => {
        if (event.offset === 0) throw new Error('cannot store');
      },
    });
    await waitFor(() => consumer.health().partitions[0]?.committed === 2, 'both committed');
    expect(deadLettered).toEqual([0]);

    const reader = new TestConsumer(kafkaEnvironment().bootstrapServers, `dlq-${randomSuffix()}`);
    await reader.connect();
    try {
      reader.client.subscribe([deadLetterTopic]);
      const [dead] = await reader.consumeAtLeast(1);
      const original = records[0];
      expect(dead?.key).toEqual(original?.key);
      expect(dead?.value).toEqual(original?.value);
      expect(dead?.headers?.slice(0, original?.headers.length)).toEqual(original?.headers);
      const extra = Object.assign({}, ...(dead?.headers ?? [])) as Record<string, Buffer>;
      expect(extra['x-dlq-original-topic']?.toString()).toBe(topic.topic);
      expect(extra['x-dlq-original-offset']?.toString()).toBe('0');
      expect(extra['x-dlq-error-code']?.toString()).toBe('ERR_HONO_HANDLER_FAILED');
      expect(extra['x-dlq-attempts']?.toString()).toBe('2');
    } finally {
      await reader.disconnect();
      await topic.admin.deleteTopic(deadLetterTopic);
    }
  });

  it('pauses the partition by default, keeps retrying, commits nothing past the record, and resumes once it succeeds', async () => {
    topic = await createTestTopic(1);
    await topic.produce(sequencedEvents(topic.tenant, ['a', 'b'], 2));
    let healthy = false;
    const errors: HandlerError[] = [];
    const paused: string[] = [];
    const resumed: string[] = [];
    const consumer = topic.consumer({ ordering: 'partition', retry: { ...fastRetry, maxAttempts: 2 } });
    consumer.on('handlerError', (error) => errors.push(error));
    consumer.on('paused', (_p, reason) => paused.push(reason));
    consumer.on('resumed', (_p, reason) => resumed.push(reason));
    const errorEvents: string[] = [];
    consumer.on('error', (error) => errorEvents.push(error.code));
    await consumer.run({
      event: (event) => {
        if (event.offset === 1 && !healthy) throw new Error('downstream outage');
      },
    });
    // The commit of position 1 comes with the next commit interval (200 ms), which may be after the
    // fourth try (at 10 + 50 + 50 ms): wait for it too.
    await waitFor(
      () =>
        paused.includes('failure') && errors.length >= 4 && consumer.health().partitions[0]?.committed === 1,
      'the pause, retries at the long delay and the commit of record 0',
    );
    expect(errorEvents).toContain('ERR_HONO_HANDLER_FAILED');
    expect(consumer.health().partitions[0]).toMatchObject({ committed: 1, pausedFor: ['failure'] });
    expect(await topic.committed()).toEqual(new Map([[0, 1]]));

    healthy = true;
    await waitFor(
      () => consumer.health().partitions[0]?.committed === 4,
      'all four committed after recovery',
    );
    expect(resumed).toContain('failure');
  });

  it('counts a handler past the handler timeout as failed and aborts its signal, but commits past it only once it settled', async () => {
    topic = await createTestTopic(1);
    await topic.produce(sequencedEvents(topic.tenant, ['a'], 1));
    const codes: string[] = [];
    const errors: string[] = [];
    let aborted = false;
    let settled = false;
    const consumer = topic.consumer({
      handlerTimeoutMs: 200,
      retry: { ...fastRetry, maxAttempts: 1 },
      onFailure: 'skip',
    });
    consumer.on('handlerError', (error) => codes.push(error.code));
    consumer.on('error', (error) => errors.push(error.code));
    await consumer.run({
      // Ignores its signal, and settles 4 handler timeouts after it started.
      event: (_event, context) =>
        new Promise<void>((resolve) => {
          context.signal.addEventListener('abort', () => (aborted = true));
          setTimeout(() => {
            settled = true;
            resolve();
          }, 800);
        }),
    });
    await waitFor(() => consumer.health().partitions[0]?.committed === 1, 'the skip committed');
    expect(settled).toBe(true);
    expect(codes).toEqual(['ERR_HONO_HANDLER_TIMEOUT']);
    // Still running at twice the timeout: reported.
    expect(errors).toContain('ERR_HONO_HANDLER_TIMEOUT');
    expect(aborted).toBe(true);
  });
});

describe('retries and clean rebalances', () => {
  it('finish a record waiting for its retry before its partition is released: nothing is handled twice', async () => {
    topic = await createTestTopic(2);
    const devices = Array.from({ length: 10 }, (_, i) => `device-${i}`);
    await topic.produce([
      ...sequencedEvents(topic.tenant, devices, 1, 0),
      ...sequencedEvents(topic.tenant, devices, 1, 1),
    ]);
    const handled = new Map<string, number>();
    const waitingForRetry = new Set<string>();
    const slowRetry = { maxAttempts: 3, initialDelayMs: 4_000, maxDelayMs: 4_000, multiplier: 1, jitter: 0 };
    const handler =
      (name: string) => (event: { partition: number; offset: number }, context: { attempt: number }) => {
        const key = `${event.partition}:${event.offset}`;
        // The first record of each partition fails once and waits 4 s for its retry, while the later
        // records (other devices) finish.
        if (event.offset === 0 && context.attempt === 1) {
          waitingForRetry.add(key);
          throw new Error(`${name}: not yet`);
        }
        handled.set(key, (handled.get(key) ?? 0) + 1);
      };
    const committed = new Map<number, number>();
    const track = (offsets: readonly { partition: number; offset: number }[]): void => {
      for (const { partition, offset } of offsets) {
        committed.set(partition, Math.max(committed.get(partition) ?? 0, offset));
      }
    };
    const first = topic.consumer({ retry: slowRetry, drainTimeoutMs: 10_000 });
    first.on('committed', track);
    await first.run({ event: handler('first') });
    await waitFor(
      () => waitingForRetry.size === 2 && handled.size === 18,
      'both partitions waiting for a retry',
    );

    const second = topic.consumer({ retry: slowRetry, drainTimeoutMs: 10_000 });
    second.on('committed', track);
    await second.run({ event: handler('second') });
    await waitFor(() => handled.size === 20, 'every record handled');
    // A released partition was committed by the consumer that released it: count both consumers' commits.
    await waitFor(() => (committed.get(0) ?? 0) + (committed.get(1) ?? 0) === 20, 'every position committed');
    expect([...handled].filter(([, count]) => count > 1)).toEqual([]);
    expect(await topic.committed()).toEqual(
      new Map([
        [0, 10],
        [1, 10],
      ]),
    );
  });
});

describe('malformed records', () => {
  it('go to the invalid handler, every kind of them, and are committed only after it resolves', async () => {
    topic = await createTestTopic(1);
    const tenant = topic.tenant;
    const base = encodeEmptyNotification({ tenantId: tenant, deviceId: 'dev' });
    const withHeaders = (headers: Record<string, Buffer>[], value: Buffer | null = null) => ({
      ...base,
      headers,
      value,
    });
    const malformed = [
      // a ttd that is no number
      withHeaders([...base.headers.filter((h) => !('ttd' in h)), { ttd: text('soon') }]),
      // key and device_id disagree
      { ...base, key: text('someone-else') },
      // a payload on an empty notification
      withHeaders(base.headers, text('not empty')),
      // a connection event with bad JSON
      {
        ...encodeConnectionEvent({
          tenantId: tenant,
          deviceId: 'dev',
          cause: 'connected',
          remoteId: 'r',
          source: 's',
        }),
        value: text('{'),
      },
      // a connection event without remote-id
      {
        ...encodeConnectionEvent({
          tenantId: tenant,
          deviceId: 'dev',
          cause: 'connected',
          remoteId: 'r',
          source: 's',
        }),
        value: text('{"cause":"connected","source":"hono-mqtt"}'),
      },
      // no device id at all
      { ...base, key: null, headers: base.headers.filter((h) => !('device_id' in h)) },
    ];
    await topic.produce([...malformed, ...sequencedEvents(tenant, ['dev'], 1)]);
    const gate = deferred();
    const invalid: string[] = [];
    const handled: number[] = [];
    const consumer = topic.consumer({ ordering: 'partition' });
    await consumer.run({
      invalid: async (error, record) => {
        invalid.push(`${record.offset}:${error.code}`);
        if (record.offset === 0) await gate.promise;
      },
      event: (event) => {
        handled.push(event.offset);
      },
    });
    await waitFor(() => invalid.length === 1, 'the first malformed record');
    // Nothing past record 0 while its handler runs: no commit yet, or position 0 itself.
    expect([-1001, 0]).toContain((await topic.committed()).get(0));
    gate.resolve();
    await waitFor(() => consumer.health().partitions[0]?.committed === 7, 'everything committed');
    expect(invalid).toEqual([
      '0:ERR_HONO_BAD_HEADER',
      '1:ERR_HONO_DEVICE_ID_MISMATCH',
      '2:ERR_HONO_UNEXPECTED_PAYLOAD',
      '3:ERR_HONO_BAD_CONNECTION_PAYLOAD',
      '4:ERR_HONO_BAD_CONNECTION_PAYLOAD',
      '5:ERR_HONO_MISSING_DEVICE_ID',
    ]);
    expect(handled).toEqual([6]);
  });
});
