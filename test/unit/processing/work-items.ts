/**
 * Work items for record-processing tests: records encoded by the SDK's own encoders and decoded by
 * `decodeEvent`, as the consumer hands them to `handleRecord`; and the processor context they are
 * processed in, which records what the SDK emits and asks of the consumer.
 */
import { noObserver } from '../../../src/engine/observer.js';
import { eventRoute } from '../../../src/consumer/event-route.js';
import { vi } from 'vitest';
import type { HonoEventConsumerEvents } from '../../../src/consumer/events.js';
import type { HonoEventHandlers } from '../../../src/consumer/handlers.js';
import { PartitionLease } from '../../../src/engine/partition-table.js';
import { DecodeError } from '../../../src/errors.js';
import { HandlerTimeouts } from '../../../src/processing/handler-timeouts.js';
import type { ProcessorContext } from '../../../src/processing/process-record.js';
import type { WorkItem } from '../../../src/processing/work-item.js';
import type { RetryPolicy } from '../../../src/retry/backoff.js';
import type { KafkaRecord } from '../../../src/types.js';
import { decodeEvent } from '../../../src/wire/decode.js';
import { encodeEmptyNotification, encodeEvent, type HonoEventInit } from '../../../src/wire/encode.js';
import { PartitionOffsets } from '../../../src/offsets/partition-offsets.js';

/** A tracker of the record's partition that tracks it. */
function trackerOf(record: KafkaRecord): PartitionOffsets {
  const offsets = new PartitionOffsets(record.topic, record.partition);
  offsets.track(record.offset);
  return offsets;
}

/** The topic of every item. */
export const TOPIC = 'hono.event.DEFAULT_TENANT';
/** The creation time of every item's event. */
export const CREATED = Date.UTC(2024, 5, 1, 12, 0, 0);
/** Who sent every item's event. */
export const device = { tenantId: 'DEFAULT_TENANT', deviceId: '4711', creationTime: CREATED } as const;

/** A record at offset 7 of partition 0, as the client delivers it, decoded. */
export function itemOf(init: HonoEventInit, lease = new PartitionLease(TOPIC, 0)): WorkItem {
  const record: KafkaRecord = { ...encodeEvent(init), partition: 0, offset: 7 };
  return { record, decoded: decodeEvent(record), lease, offsets: trackerOf(record), atMostOnce: false };
}

/** An empty notification with a value at offset 7: it does not decode. */
export function invalidItem(lease = new PartitionLease(TOPIC, 0)): WorkItem {
  const record: KafkaRecord = {
    ...encodeEmptyNotification(device),
    value: Buffer.from('unexpected'),
    partition: 0,
    offset: 7,
  };
  try {
    decodeEvent(record);
  } catch (error) {
    if (error instanceof DecodeError)
      return { record, decoded: error, lease, offsets: trackerOf(record), atMostOnce: false };
    throw error;
  }
  throw new Error('the record decoded');
}

/** Delays 100, 200, 400 … capped at 1000, without jitter: retries happen at known times. */
export const retry: RetryPolicy = {
  maxAttempts: 3,
  initialDelayMs: 100,
  maxDelayMs: 1_000,
  multiplier: 2,
  jitter: 0,
};

type Events = HonoEventConsumerEvents;

/**
 * A processor context that records what the SDK emits and asks of the consumer. Its clock stands one
 * second after {@link CREATED}.
 *
 * @param handlers - the handlers to call
 * @param options - options in place of the defaults: {@link retry}, a 5 s handler timeout, onFailure
 *   'pause', no dead-letter topic, expired events skipped, and a logger of mocks
 * @returns the context, its mocks, and what it emitted
 */
export function fakeContext(handlers: HonoEventHandlers, options: Partial<ProcessorContext['options']> = {}) {
  const emitted: { name: keyof Events; payload: unknown }[] = [];
  const pauseForFailure = vi.fn<ProcessorContext['pauseForFailure']>();
  const resumeAfterFailure = vi.fn<ProcessorContext['resumeAfterFailure']>();
  const deadLetter = vi.fn<ProcessorContext['deadLetter']>(() => Promise.resolve());
  const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const context: ProcessorContext = {
    route: eventRoute(handlers),
    observer: noObserver,
    options: {
      retry,
      handlerTimeoutMs: 5_000,
      onFailure: 'pause',
      deadLetterTopic: undefined,
      expired: 'skip',
      logger,
      ...options,
    },
    emit: (name, ...args) => {
      emitted.push({ name, payload: args[0] });
    },
    pauseForFailure,
    resumeAfterFailure,
    deadLetter,
    now: () => CREATED + 1_000,
    timeouts: new HandlerTimeouts(options.handlerTimeoutMs ?? 5_000),
  };
  return {
    context,
    pauseForFailure,
    resumeAfterFailure,
    deadLetter,
    /** The default logger (the context logs to it unless the options give another). */
    logger,
    /** The names of the emitted events, in order. */
    names: () => emitted.map((event) => event.name),
    /** The payloads of one event, in order. */
    payloads: <Name extends keyof Events>(name: Name) =>
      emitted.filter((event) => event.name === name).map((event) => event.payload) as Parameters<
        Events[Name]
      >[0][],
  };
}
