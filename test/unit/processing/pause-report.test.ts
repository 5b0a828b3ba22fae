/**
 * What the log says about a partition paused for a record that failed for good: one line that names the
 * record, the reason and what resumes it; at most one reminder per five minutes (or when the reason
 * changes) while it stays paused, however often the record is tried; and one line when the pause ends.
 */
import { noObserver } from '../../../src/engine/observer.js';
import { eventRoute } from '../../../src/consumer/event-route.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PartitionLease } from '../../../src/engine/partition-table.js';
import { DecodeError, KafkaClientError } from '../../../src/errors.js';
import type { HonoEventHandlers } from '../../../src/consumer/handlers.js';
import type { ResolvedOptions } from '../../../src/consumer/options.js';
import { HandlerTimeouts } from '../../../src/processing/handler-timeouts.js';
import { pauseReminderMs, resumeHint } from '../../../src/processing/pause-report.js';
import type { ProcessorContext } from '../../../src/processing/process-record.js';
import { processRecord } from './record-outcome.js';
import type { WorkItem } from '../../../src/processing/work-item.js';
import { decodeEvent } from '../../../src/wire/decode.js';
import { encodeDataEvent, encodeEmptyNotification } from '../../../src/wire/encode.js';
import type { KafkaRecord } from '../../../src/types.js';
import { PartitionOffsets } from '../../../src/offsets/partition-offsets.js';

/** A tracker of the record's partition that tracks it. */
function trackerOf(record: KafkaRecord): PartitionOffsets {
  const offsets = new PartitionOffsets(record.topic, record.partition);
  offsets.track(record.offset);
  return offsets;
}

const TOPIC = 'hono.event.DEFAULT_TENANT';
const retry = { maxAttempts: 2, initialDelayMs: 100, maxDelayMs: 30_000, multiplier: 2, jitter: 0 };

function eventItem(lease = new PartitionLease(TOPIC, 3)): WorkItem {
  const record: KafkaRecord = {
    ...encodeDataEvent({
      tenantId: 'DEFAULT_TENANT',
      deviceId: 'sensor-9',
      contentType: 'text/plain',
      payload: 'x',
    }),
    partition: 3,
    offset: 42,
  };
  return { record, decoded: decodeEvent(record), lease, offsets: trackerOf(record), atMostOnce: false };
}

function invalidItem(lease = new PartitionLease(TOPIC, 3)): WorkItem {
  const record: KafkaRecord = {
    ...encodeEmptyNotification({ tenantId: 'DEFAULT_TENANT', deviceId: 'sensor-9' }),
    value: Buffer.from('unexpected'),
    partition: 3,
    offset: 42,
  };
  try {
    decodeEvent(record);
  } catch (error) {
    if (error instanceof DecodeError)
      return { record, decoded: error, lease, offsets: trackerOf(record), atMostOnce: false };
  }
  throw new Error('the record decoded');
}

function setup(handlers: HonoEventHandlers, options: Partial<ProcessorContext['options']> = {}) {
  const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const errors: unknown[] = [];
  const deadLetter = vi.fn<ProcessorContext['deadLetter']>(() => Promise.resolve());
  const context: ProcessorContext = {
    route: eventRoute(handlers),
    observer: noObserver,
    options: {
      retry,
      handlerTimeoutMs: 60_000,
      onFailure: 'pause',
      deadLetterTopic: undefined,
      expired: 'deliver',
      logger,
      ...options,
    },
    emit: (name, ...args) => {
      if (name === 'error') errors.push(args[0]);
    },
    pauseForFailure: vi.fn(),
    resumeAfterFailure: vi.fn(),
    deadLetter,
    now: () => Date.now(),
    timeouts: new HandlerTimeouts(60_000),
  };
  return { context, logger, errors, deadLetter };
}

/** Lines logged at one level: the messages. */
const messages = (level: ReturnType<typeof vi.fn>): string[] =>
  level.mock.calls.map((call) => String(call[0]));

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('a partition paused for a failed handler', () => {
  it('logs one error line naming the record, the reason and what resumes it', async () => {
    const { context, logger } = setup({ event: () => Promise.reject(new Error('database down')) });
    const outcome = processRecord(eventItem(), context);
    await vi.advanceTimersByTimeAsync(100);

    expect(logger.error).toHaveBeenCalledOnce();
    const [message, details] = logger.error.mock.calls[0] as [string, Record<string, unknown>];
    expect(message).toBe(
      'partition paused: hono.event.DEFAULT_TENANT/3 at offset 42 (device sensor-9) failed for good: ' +
        'ERR_HONO_HANDLER_FAILED: handler failed on hono.event.DEFAULT_TENANT/3@42 (attempt 2): database down. ' +
        'The handler is tried again every 30 s (retry.maxDelayMs); the partition resumes when it succeeds. ' +
        "To move on without the record, set onFailure 'skip' or 'deadLetter' and restart. " +
        'A revoke of the partition or stop() releases it uncommitted: the record is handled again by the partition’s next owner or after a restart.',
    );
    expect(details).toStrictEqual({
      topic: TOPIC,
      partition: 3,
      offset: 42,
      deviceId: 'sensor-9',
      code: 'ERR_HONO_HANDLER_FAILED',
      attempts: 2,
    });
    void outcome;
  });

  it('reminds at most once per five minutes while the record keeps failing, then says it resumed', async () => {
    let calls = 0;
    const { context, logger } = setup({
      event: () => (++calls < 62 ? Promise.reject(new Error('database down')) : Promise.resolve()),
    });
    const outcome = processRecord(eventItem(), context);
    // Paused after attempt 2; then one try every 30 s: 60 tries in 30 minutes.
    await vi.advanceTimersByTimeAsync(100 + 30 * 60_000);
    expect(calls).toBe(62);
    await expect(outcome).resolves.toBe('done');

    expect(logger.error).toHaveBeenCalledOnce();
    const warnings = messages(logger.warn);
    const reminders = warnings.filter((line) => line.startsWith('partition still paused'));
    expect(reminders).toHaveLength((30 * 60_000) / pauseReminderMs - 1);
    expect(reminders[0]).toMatch(
      /^partition still paused after 5 min and 12 attempts: hono\.event\.DEFAULT_TENANT\/3 at offset 42 \(device sensor-9\): ERR_HONO_HANDLER_FAILED: .*database down\. The handler is tried again every 30 s/,
    );
    expect(warnings.at(-1)).toBe(
      'partition resumed after 1800 s: hono.event.DEFAULT_TENANT/3 at offset 42 (device sensor-9) was handled at attempt 62',
    );
  });

  it('reminds at once when the reason changes (a failure becomes a timeout)', async () => {
    let calls = 0;
    const { context, logger } = setup({
      // The third call runs until its signal aborts at handlerTimeoutMs.
      event: (_event, handlerContext) =>
        ++calls <= 2
          ? Promise.reject(new Error('boom'))
          : new Promise<void>((_resolve, reject) => {
              handlerContext.signal.addEventListener('abort', () => {
                reject(new Error('aborted'));
              });
            }),
    });
    void processRecord(eventItem(), context);
    await vi.advanceTimersByTimeAsync(100);
    expect(logger.error).toHaveBeenCalledOnce();
    await vi.advanceTimersByTimeAsync(30_000 + 60_000); // attempt 3 times out after handlerTimeoutMs
    expect(messages(logger.warn)).toStrictEqual([
      expect.stringMatching(
        /^partition still paused after 2 min and 3 attempts: .*ERR_HONO_HANDLER_TIMEOUT/,
      ) as string,
    ]);
  });

  it('says when the partition is released with the record uncommitted', async () => {
    const lease = new PartitionLease(TOPIC, 3);
    const { context, logger } = setup({ event: () => Promise.reject(new Error('boom')) });
    const outcome = processRecord(eventItem(lease), context);
    await vi.advanceTimersByTimeAsync(100);
    lease.halted();
    await expect(outcome).resolves.toBe('abandoned');
    expect(messages(logger.warn)).toStrictEqual([
      'paused partition released (revoked, lost or stopping) after 0 s: hono.event.DEFAULT_TENANT/3 at offset 42 (device sensor-9) stays uncommitted and is handled again by the partition’s next owner or after a restart',
    ]);
  });
});

describe('a partition paused for a record that does not decode', () => {
  it('says that the record is not tried again, and that an invalid handler or onFailure moves on', async () => {
    const lease = new PartitionLease(TOPIC, 3);
    const { context, logger } = setup({ event: () => undefined });
    const outcome = processRecord(invalidItem(lease), context);
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect(logger.error).toHaveBeenCalledOnce();
    expect(messages(logger.error)[0]).toMatch(
      /^partition paused: hono\.event\.DEFAULT_TENANT\/3 at offset 42 \(device sensor-9\) failed for good: ERR_HONO_UNEXPECTED_PAYLOAD: .*\. The record does not decode, so it is not tried again: the partition stays paused until it is revoked or the consumer stops, .* Add an 'invalid' handler, or set onFailure 'skip' or 'deadLetter', and restart\.$/,
    );
    expect(logger.warn).not.toHaveBeenCalled();
    lease.halted();
    await expect(outcome).resolves.toBe('abandoned');
    expect(messages(logger.warn)).toHaveLength(1);
  });
});

describe('a partition paused because the dead-letter write failed', () => {
  it('logs the handler failure and the write failure in one line, emits error per try, logs no line per try', async () => {
    const { context, logger, errors, deadLetter } = setup(
      { event: () => Promise.reject(new Error('boom')) },
      { onFailure: 'deadLetter', deadLetterTopic: 'hono.event.DEFAULT_TENANT.dlq' },
    );
    const writeError = new KafkaClientError('ERR_HONO_BROKERS_DOWN', 'deadLetter: all brokers down');
    deadLetter.mockRejectedValue(writeError);
    const outcome = processRecord(eventItem(), context);
    await vi.advanceTimersByTimeAsync(100 + 4 * 60_000);

    expect(errors.length).toBeGreaterThan(8); // every failed write is emitted as `error`
    expect(logger.error).toHaveBeenCalledOnce();
    expect(messages(logger.error)[0]).toMatch(
      /failed for good: ERR_HONO_HANDLER_FAILED: .*boom; the dead-letter write failed too: ERR_HONO_BROKERS_DOWN: deadLetter: all brokers down\. The dead-letter write to hono\.event\.DEFAULT_TENANT\.dlq and the handler are tried again every 30 s \(retry\.maxDelayMs\); the partition resumes when either succeeds\. Check that the topic exists and that this client may write to it\./,
    );
    expect(logger.warn).not.toHaveBeenCalled();

    deadLetter.mockResolvedValue(undefined);
    await vi.advanceTimersByTimeAsync(30_000);
    await expect(outcome).resolves.toBe('done');
    expect(messages(logger.warn).at(-1)).toMatch(
      /^partition resumed after \d+ s: .* was written to the dead-letter topic$/,
    );
  });
});

describe('resumeHint', () => {
  const options = (onFailure: ResolvedOptions['onFailure']) => ({
    retry: { ...retry, maxDelayMs: 5_000 },
    onFailure,
    deadLetterTopic: onFailure === 'deadLetter' ? 'dlq' : undefined,
  });
  const reason = (retriable: boolean) => ({
    error: new KafkaClientError('ERR_HONO_KAFKA', 'x'),
    deadLetterError: undefined,
    retriable,
    attempts: 1,
  });

  it.each([
    ['pause', true, /^The handler is tried again every 5 s/],
    ['pause', false, /^The record does not decode, so it is not tried again/],
    ['deadLetter', true, /^The dead-letter write to dlq and the handler are tried again every 5 s/],
    [
      'deadLetter',
      false,
      /^The dead-letter write to dlq is tried again every 5 s \(retry\.maxDelayMs\); the partition resumes when it succeeds/,
    ],
  ] as const)(
    'with onFailure %s (handler tried again: %s) says what resumes the partition',
    (onFailure, retriable, hint) => {
      expect(resumeHint(reason(retriable), options(onFailure))).toMatch(hint);
    },
  );
});
