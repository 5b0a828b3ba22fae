import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PartitionLease } from '../../../src/engine/partition-table.js';
import { HandlerError, KafkaClientError } from '../../../src/errors.js';
import type { HandlerContext } from '../../../src/consumer/handlers.js';
import type { Outcome } from '../../../src/processing/process-record.js';
import { processRecord as processRecordNow } from './record-outcome.js';
import type { HonoEventInit } from '../../../src/wire/encode.js';
import type { HonoEvent } from '../../../src/wire/types.js';
import { CREATED, device, fakeContext, invalidItem, itemOf, retry, TOPIC } from './work-items.js';

/** The outcome as a promise, whether it was known at once or not. */
function processRecord(...args: Parameters<typeof processRecordNow>): Promise<Outcome> {
  return Promise.resolve(processRecordNow(...args));
}

const inits = {
  connection: { ...device, type: 'connection', cause: 'connected', remoteId: 'c1', source: 'hono-mqtt' },
  emptyNotification: { ...device, type: 'emptyNotification', ttd: -1 },
  provisioning: { ...device, type: 'provisioning', gatewayId: 'gw-1' },
  event: { ...device, type: 'event', contentType: 'application/json', payload: '{"temp":21}' },
} as const satisfies Record<HonoEvent['type'], HonoEventInit>;

/** A promise's state, readable without awaiting it. */
function track(outcome: Promise<Outcome>): { readonly settled: boolean } {
  const state = { settled: false };
  void outcome.then(() => {
    state.settled = true;
  });
  return state;
}

/**
 * A handler (of any kind: the context is its last argument) that fails `failures` times, then succeeds;
 * it records each context it was called with.
 */
function failing(failures: number) {
  const contexts: HandlerContext[] = [];
  const handler = vi.fn((...args: unknown[]) => {
    contexts.push(args.at(-1) as HandlerContext);
    return contexts.length <= failures
      ? Promise.reject(new Error(`boom ${contexts.length}`))
      : Promise.resolve();
  });
  return { handler, attempts: () => contexts.map((context) => context.attempt) };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('processRecord: routing', () => {
  it.each(Object.keys(inits) as (keyof typeof inits)[])('routes a %s to its own handler', async (type) => {
    const handlers = {
      connection: vi.fn(),
      emptyNotification: vi.fn(),
      provisioning: vi.fn(),
      event: vi.fn(),
    };
    const item = itemOf(inits[type]);
    const { context } = fakeContext(handlers);

    await expect(processRecord(item, context)).resolves.toBe('done');

    expect(handlers[type]).toHaveBeenCalledExactlyOnceWith(
      item.decoded,
      expect.objectContaining({ attempt: 1, topic: TOPIC, partition: 0, offset: 7 }),
    );
    for (const other of Object.values(handlers)) {
      if (other !== handlers[type]) expect(other).not.toHaveBeenCalled();
    }
  });

  it.each(Object.keys(inits) as (keyof typeof inits)[])(
    'routes a %s without a handler of its own to event',
    async (type) => {
      const event = vi.fn();
      const item = itemOf(inits[type]);

      await expect(processRecord(item, fakeContext({ event }).context)).resolves.toBe('done');

      expect(event).toHaveBeenCalledExactlyOnceWith(item.decoded, expect.objectContaining({ attempt: 1 }));
    },
  );

  it('is done without a call when no handler applies', async () => {
    const connection = vi.fn();
    const { context, names } = fakeContext({ connection });

    await expect(processRecord(itemOf(inits.emptyNotification), context)).resolves.toBe('done');

    expect(connection).not.toHaveBeenCalled();
    expect(names()).toStrictEqual([]);
  });
});

describe('processRecord: expired records', () => {
  const expiredInit: HonoEventInit = { ...inits.event, ttl: 500 }; // created 1000 ms before now

  it("emits expired and calls no handler with expired: 'skip'", async () => {
    const event = vi.fn();
    const item = itemOf(expiredInit);
    const { context, payloads } = fakeContext({ event }, { expired: 'skip' });

    await expect(processRecord(item, context)).resolves.toBe('done');

    expect(event).not.toHaveBeenCalled();
    expect(payloads('expired')).toStrictEqual([item.decoded]);
  });

  it("calls the handler with expired: 'deliver'", async () => {
    const event = vi.fn();
    const { context, names } = fakeContext({ event }, { expired: 'deliver' });

    await expect(processRecord(itemOf(expiredInit), context)).resolves.toBe('done');

    expect(event).toHaveBeenCalledOnce();
    expect(names()).toStrictEqual([]);
  });

  it('calls the handler for a record whose ttl has not run out', async () => {
    const event = vi.fn();
    const { context } = fakeContext({ event }, { expired: 'skip' });

    await expect(processRecord(itemOf({ ...inits.event, ttl: 5_000 }), context)).resolves.toBe('done');

    expect(event).toHaveBeenCalledOnce();
  });
});

describe('processRecord: handlers', () => {
  it('finishes a synchronous handler without starting a timer', async () => {
    let timers = -1;
    const event = vi.fn(() => {
      timers = vi.getTimerCount();
    });

    await expect(processRecord(itemOf(inits.event), fakeContext({ event }).context)).resolves.toBe('done');

    expect(event).toHaveBeenCalledOnce();
    expect(timers).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('knows the outcome of a synchronous handler at once, without a promise', () => {
    const event = vi.fn();
    expect(processRecordNow(itemOf(inits.event), fakeContext({ event }).context)).toBe('done');
  });

  it('starts one timer for many running asynchronous handlers, and none once they finished', async () => {
    const resolvers: (() => void)[] = [];
    const event = vi.fn(() => new Promise<void>((resolve) => resolvers.push(resolve)));
    const { context } = fakeContext({ event });
    const outcomes = Array.from({ length: 50 }, () => processRecord(itemOf(inits.event), context));
    expect(vi.getTimerCount()).toBe(1);
    for (const resolve of resolvers) resolve();
    await expect(Promise.all(outcomes)).resolves.toEqual(Array.from({ length: 50 }, () => 'done'));
    expect(vi.getTimerCount()).toBe(0);
  });

  it('waits for an asynchronous handler to resolve', async () => {
    const event = vi.fn(() => new Promise<void>((resolve) => setTimeout(resolve, 2_000)));
    const outcome = processRecord(itemOf(inits.event), fakeContext({ event }).context);
    const state = track(outcome);

    await vi.advanceTimersByTimeAsync(1_999);
    expect(state.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);

    await expect(outcome).resolves.toBe('done');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('counts a synchronous throw as a failed attempt', async () => {
    const thrown = new Error('sync boom');
    const event = vi.fn(() => {
      throw thrown;
    });
    const { context, payloads } = fakeContext(
      { event },
      { retry: { ...retry, maxAttempts: 1 }, onFailure: 'skip' },
    );

    await expect(processRecord(itemOf(inits.event), context)).resolves.toBe('done');

    const [error] = payloads('handlerError');
    expect(error).toBeInstanceOf(HandlerError);
    expect(error).toMatchObject({ code: 'ERR_HONO_HANDLER_FAILED', attempt: 1, cause: thrown, offset: 7 });
    expect(payloads('skipped')).toStrictEqual([{ topic: TOPIC, partition: 0, offset: 7, error }]);
  });

  it('times out a handler that does not settle in time: its signal aborts, and it ends when the call does', async () => {
    let signal: AbortSignal | undefined;
    const event = vi.fn((_event: HonoEvent, context: HandlerContext) => {
      signal = context.signal;
      // A handler that listens to its signal settles when it aborts.
      return new Promise<void>((_resolve, reject) => {
        context.signal.addEventListener('abort', () => {
          reject(new Error('aborted'));
        });
      });
    });
    const { context, payloads } = fakeContext(
      { event },
      { handlerTimeoutMs: 5_000, retry: { ...retry, maxAttempts: 1 }, onFailure: 'skip' },
    );
    const outcome = processRecord(itemOf(inits.event), context);
    const state = track(outcome);

    await vi.advanceTimersByTimeAsync(4_999);
    expect(state.settled).toBe(false);
    expect(signal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);

    await expect(outcome).resolves.toBe('done');
    const [error] = payloads('handlerError');
    expect(error).toBeInstanceOf(HandlerError);
    expect(error?.code).toBe('ERR_HONO_HANDLER_TIMEOUT');
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBe(error);
    expect(payloads('skipped')[0]?.error).toBe(error);
    expect(payloads('error')).toEqual([]);
  });

  it('gives a handler that first reads its signal after the timeout an aborted signal', async () => {
    let seen: { aborted: boolean; reason: unknown } | undefined;
    const event = vi.fn(
      (_event: HonoEvent, context: HandlerContext) =>
        new Promise<void>((resolve) => {
          // Works for 7 s, then checks its signal before it would write its result.
          setTimeout(() => {
            seen = { aborted: context.signal.aborted, reason: context.signal.reason };
            resolve();
          }, 7_000);
        }),
    );
    const { context, payloads } = fakeContext(
      { event },
      { handlerTimeoutMs: 5_000, retry: { ...retry, maxAttempts: 1 }, onFailure: 'skip' },
    );
    const outcome = processRecord(itemOf(inits.event), context);
    await vi.advanceTimersByTimeAsync(7_000);

    await expect(outcome).resolves.toBe('done');
    const [error] = payloads('handlerError');
    expect(error?.code).toBe('ERR_HONO_HANDLER_TIMEOUT');
    expect(seen).toEqual({ aborted: true, reason: error });
  });

  it('waits for a timed-out call that ignores its signal, and reports it after a second handlerTimeoutMs', async () => {
    const calls: number[] = [];
    let running = 0;
    const event = vi.fn((_event: HonoEvent, context: HandlerContext) => {
      calls.push(context.attempt);
      running += 1;
      expect(running).toBe(1);
      // Ignores its signal: settles 12 s after it started.
      return new Promise<void>((resolve) => {
        setTimeout(() => {
          running -= 1;
          resolve();
        }, 12_000);
      });
    });
    const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const { context, payloads, names } = fakeContext(
      { event },
      { handlerTimeoutMs: 5_000, retry: { ...retry, maxAttempts: 1 }, onFailure: 'skip', logger },
    );
    const outcome = processRecord(itemOf(inits.event), context);
    const state = track(outcome);

    // Timed out at 5 s, but neither failed nor skipped while the call runs: nothing is committed past it.
    await vi.advanceTimersByTimeAsync(9_999);
    expect(state.settled).toBe(false);
    expect(names()).toEqual([]);
    // Still running at twice the timeout: reported once as `error`, and still waited for.
    await vi.advanceTimersByTimeAsync(1);
    const [late] = payloads('error');
    expect(late).toBeInstanceOf(HandlerError);
    expect(late?.code).toBe('ERR_HONO_HANDLER_TIMEOUT');
    expect(late?.message).toMatch(/still running 10000 ms after it started/);
    expect(logger.error).toHaveBeenCalledOnce();
    await vi.advanceTimersByTimeAsync(1_999);
    expect(state.settled).toBe(false);

    // The call settled: the attempt counts as timed out, and the outcome follows.
    await vi.advanceTimersByTimeAsync(1);
    await expect(outcome).resolves.toBe('done');
    expect(payloads('handlerError')[0]?.code).toBe('ERR_HONO_HANDLER_TIMEOUT');
    expect(names()).toEqual(['error', 'handlerError', 'skipped']);
    expect(calls).toEqual([1]);
  });

  it('starts the retry of a timed-out call only once the call settled', async () => {
    const starts: number[] = [];
    const event = vi.fn((_event: HonoEvent, context: HandlerContext) => {
      starts.push(Date.now() - CREATED);
      // The first call ignores its signal for 7 s; the retry succeeds at once.
      return context.attempt === 1
        ? new Promise<void>((resolve) => setTimeout(resolve, 7_000))
        : Promise.resolve();
    });
    vi.setSystemTime(CREATED);
    const { context } = fakeContext({ event }, { handlerTimeoutMs: 5_000 });
    const outcome = processRecord(itemOf(inits.event), context);

    await vi.advanceTimersByTimeAsync(7_000 + retry.initialDelayMs);
    await expect(outcome).resolves.toBe('done');
    expect(starts).toEqual([0, 7_000 + retry.initialDelayMs]);
  });
});

describe('processRecord: retries', () => {
  it('retries after the delays of the policy until the handler succeeds', async () => {
    const { handler, attempts } = failing(2);
    const { context, names, payloads } = fakeContext({ event: handler });
    const outcome = processRecord(itemOf(inits.event), context);

    await vi.advanceTimersByTimeAsync(99);
    expect(handler).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1); // first retry after 100 ms
    expect(handler).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(199);
    expect(handler).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1); // second retry after 200 ms more

    await expect(outcome).resolves.toBe('done');
    expect(attempts()).toStrictEqual([1, 2, 3]);
    expect(names()).toStrictEqual(['handlerError', 'retrying', 'handlerError', 'retrying']);
    expect(payloads('handlerError').map((error) => error.attempt)).toStrictEqual([1, 2]);
    expect(payloads('retrying')).toMatchObject([
      { topic: TOPIC, partition: 0, offset: 7, attempt: 1, delayMs: 100, error: { message: /boom 1/ } },
      { topic: TOPIC, partition: 0, offset: 7, attempt: 2, delayMs: 200, error: { message: /boom 2/ } },
    ]);
  });

  it('gives its concurrency slot back during each retry delay and while paused for failure, never during a call', async () => {
    let calling = false;
    const waits: boolean[] = [];
    const slot = {
      idle: <R>(wait: Promise<R>): Promise<R> => {
        waits.push(calling);
        return wait;
      },
    };
    // Fails the three attempts of the policy and the first try while paused, then succeeds.
    let calls = 0;
    const event = vi.fn(() => {
      calls += 1;
      calling = true;
      return Promise.resolve().then(() => {
        calling = false;
        if (calls <= 4) throw new Error('boom');
      });
    });
    const { context } = fakeContext({ event });
    const outcome = processRecordNow(itemOf(inits.event), context, slot);
    await vi.advanceTimersByTimeAsync(100 + 200 + 1_000 + 1_000);
    await expect(outcome).resolves.toBe('done');
    expect(calls).toBe(5);
    // Two retry delays, then two waits of retry.maxDelayMs while paused; none while a call ran.
    expect(waits).toEqual([false, false, false, false]);
  });

  it('keeps retrying a draining record (lease halted) so that a clean revoke finishes it', async () => {
    const { handler } = failing(1);
    const lease = new PartitionLease(TOPIC, 0);
    const { context, pauseForFailure } = fakeContext({ event: handler });
    const outcome = processRecord(itemOf(inits.event, lease), context);

    await vi.advanceTimersByTimeAsync(50);
    lease.halted();
    await vi.advanceTimersByTimeAsync(10_000);

    await expect(outcome).resolves.toBe('done');
    expect(handler).toHaveBeenCalledTimes(2);
    expect(pauseForFailure).not.toHaveBeenCalled();
  });

  it('stops retrying when the drain is over (lease aborted) during a retry wait', async () => {
    const { handler } = failing(Number.POSITIVE_INFINITY);
    const lease = new PartitionLease(TOPIC, 0);
    const { context, pauseForFailure } = fakeContext({ event: handler });
    const outcome = processRecord(itemOf(inits.event, lease), context);

    await vi.advanceTimersByTimeAsync(50);
    lease.aborted();

    await expect(outcome).resolves.toBe('abandoned');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(handler).toHaveBeenCalledTimes(1);
    expect(pauseForFailure).not.toHaveBeenCalled();
  });

  it("aborts the running handler's signal when the lease is aborted", async () => {
    let signal: AbortSignal | undefined;
    const event = vi.fn(
      (_event: HonoEvent, context: HandlerContext) =>
        new Promise<void>((_resolve, reject) => {
          signal = context.signal;
          signal.addEventListener('abort', () => {
            reject(new Error('aborted'));
          });
        }),
    );
    const lease = new PartitionLease(TOPIC, 0);
    const outcome = processRecord(itemOf(inits.event, lease), fakeContext({ event }).context);

    await vi.advanceTimersByTimeAsync(1_000);
    expect(signal?.aborted).toBe(false);
    lease.aborted();
    expect(signal?.aborted).toBe(true);

    await expect(outcome).resolves.toBe('abandoned');
    expect(event).toHaveBeenCalledOnce();
  });
});

describe('processRecord: after the last attempt', () => {
  it("skips the record with onFailure 'skip'", async () => {
    const { handler } = failing(Number.POSITIVE_INFINITY);
    const { context, names, payloads, pauseForFailure } = fakeContext(
      { event: handler },
      { onFailure: 'skip' },
    );
    const outcome = processRecord(itemOf(inits.event), context);

    await vi.advanceTimersByTimeAsync(300);

    await expect(outcome).resolves.toBe('done');
    expect(handler).toHaveBeenCalledTimes(3);
    expect(names().at(-1)).toBe('skipped');
    const [lastError] = payloads('handlerError').slice(-1);
    expect(payloads('skipped')).toStrictEqual([{ topic: TOPIC, partition: 0, offset: 7, error: lastError }]);
    expect(pauseForFailure).not.toHaveBeenCalled();
  });

  it("writes the record to the dead-letter topic with onFailure 'deadLetter'", async () => {
    const { handler } = failing(Number.POSITIVE_INFINITY);
    const item = itemOf(inits.event);
    const { context, payloads, deadLetter, pauseForFailure } = fakeContext(
      { event: handler },
      { onFailure: 'deadLetter', deadLetterTopic: 'dlq' },
    );
    const outcome = processRecord(item, context);

    await vi.advanceTimersByTimeAsync(300);

    await expect(outcome).resolves.toBe('done');
    const lastError = payloads('handlerError')[2];
    expect(lastError?.attempt).toBe(3);
    expect(deadLetter).toHaveBeenCalledExactlyOnceWith(item, lastError, 3);
    expect(payloads('deadLettered')).toStrictEqual([
      { topic: TOPIC, partition: 0, offset: 7, error: lastError, deadLetterTopic: 'dlq' },
    ]);
    expect(pauseForFailure).not.toHaveBeenCalled();
  });

  it('pauses the partition and tries again when the dead-letter write fails', async () => {
    const { handler } = failing(Number.POSITIVE_INFINITY);
    const item = itemOf(inits.event);
    const { context, names, payloads, deadLetter, pauseForFailure, resumeAfterFailure } = fakeContext(
      { event: handler },
      { onFailure: 'deadLetter', deadLetterTopic: 'dlq', retry: { ...retry, maxAttempts: 1 } },
    );
    const writeError = new KafkaClientError('ERR_HONO_BROKERS_DOWN', 'deadLetter: all brokers down');
    deadLetter.mockRejectedValueOnce(writeError);
    const outcome = processRecord(item, context);
    const state = track(outcome);

    await vi.advanceTimersByTimeAsync(0);
    expect(payloads('error')).toStrictEqual([writeError]);
    expect(pauseForFailure).toHaveBeenCalledExactlyOnceWith(item, payloads('handlerError')[0]);
    expect(state.settled).toBe(false);

    await vi.advanceTimersByTimeAsync(1_000); // retry.maxDelayMs

    await expect(outcome).resolves.toBe('done');
    expect(handler).toHaveBeenCalledTimes(2);
    expect(deadLetter).toHaveBeenCalledTimes(2);
    expect(deadLetter).toHaveBeenLastCalledWith(item, payloads('handlerError')[1], 2);
    expect(names().at(-1)).toBe('deadLettered');
    expect(pauseForFailure).toHaveBeenCalledOnce();
    expect(resumeAfterFailure).toHaveBeenCalledExactlyOnceWith(item);
  });

  it("pauses the partition with onFailure 'pause' and retries at retry.maxDelayMs until success", async () => {
    const { handler, attempts } = failing(5);
    const item = itemOf(inits.event);
    const { context, payloads, pauseForFailure, resumeAfterFailure } = fakeContext(
      { event: handler },
      { onFailure: 'pause' },
    );
    const outcome = processRecord(item, context);

    await vi.advanceTimersByTimeAsync(300); // attempts 1 to 3 failed
    expect(pauseForFailure).toHaveBeenCalledExactlyOnceWith(item, payloads('handlerError')[2]);
    expect(handler).toHaveBeenCalledTimes(3);

    await vi.advanceTimersByTimeAsync(999);
    expect(handler).toHaveBeenCalledTimes(3);
    await vi.advanceTimersByTimeAsync(1); // attempt 4 fails
    expect(handler).toHaveBeenCalledTimes(4);
    expect(resumeAfterFailure).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1_000); // attempt 5 fails
    await vi.advanceTimersByTimeAsync(1_000); // attempt 6 succeeds

    await expect(outcome).resolves.toBe('done');
    expect(attempts()).toStrictEqual([1, 2, 3, 4, 5, 6]);
    expect(pauseForFailure).toHaveBeenCalledOnce();
    expect(resumeAfterFailure).toHaveBeenCalledExactlyOnceWith(item);
    expect(payloads('handlerError')).toHaveLength(5);
  });

  it('abandons a paused record when the lease is halted', async () => {
    const { handler } = failing(Number.POSITIVE_INFINITY);
    const lease = new PartitionLease(TOPIC, 0);
    const { context, resumeAfterFailure } = fakeContext({ event: handler }, { onFailure: 'pause' });
    const outcome = processRecord(itemOf(inits.event, lease), context);

    await vi.advanceTimersByTimeAsync(1_500);
    expect(handler).toHaveBeenCalledTimes(4);
    lease.halted();

    await expect(outcome).resolves.toBe('abandoned');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(handler).toHaveBeenCalledTimes(4);
    expect(resumeAfterFailure).not.toHaveBeenCalled();
  });
});

describe('processRecord: a lease that ends during the last attempt', () => {
  // Was a bug, fixed: src/processing/process-record.ts:82 applies onFailure to any failure of the last attempt, also
  // when the handler only failed because the SDK aborted its signal (lease.aborted(): the drain time of
  // a revoke or stop() ran out). A handler that passes `context.signal` to fetch or a driver, as the
  // docs advise, then gets a healthy record written to the dead-letter topic (or `skipped` emitted, or
  // the released partition paused with an error), although the next owner handles the record again.
  // Once the lease is aborted the outcome should be 'abandoned' with no outcome applied.
  it('does not dead-letter a record whose handler gave up because the lease was aborted', async () => {
    const event = vi.fn(
      (_event: HonoEvent, context: HandlerContext) =>
        new Promise<void>((_resolve, reject) => {
          context.signal.addEventListener('abort', () => {
            reject(new Error('aborted'));
          });
        }),
    );
    const lease = new PartitionLease(TOPIC, 0);
    const { context, deadLetter } = fakeContext(
      { event },
      { onFailure: 'deadLetter', deadLetterTopic: 'dlq', retry: { ...retry, maxAttempts: 1 } },
    );
    const outcome = processRecord(itemOf(inits.event, lease), context);

    await vi.advanceTimersByTimeAsync(1_000);
    lease.aborted();

    await expect(outcome).resolves.toBe('abandoned');
    expect(deadLetter).not.toHaveBeenCalled();
  });
});

describe('processRecord: records that do not decode', () => {
  it('calls invalid with the error, the record and a context', async () => {
    const invalid = vi.fn();
    const event = vi.fn();
    const item = invalidItem();
    const { context, payloads } = fakeContext({ invalid, event });

    await expect(processRecord(item, context)).resolves.toBe('done');

    expect(payloads('decodeError')).toStrictEqual([item.decoded]);
    expect(invalid).toHaveBeenCalledExactlyOnceWith(
      item.decoded,
      item.record,
      expect.objectContaining({ attempt: 1, topic: TOPIC, partition: 0, offset: 7 }),
    );
    expect(event).not.toHaveBeenCalled();
  });

  it('retries a failing invalid handler like any other', async () => {
    const { handler, attempts } = failing(1);
    const { context } = fakeContext({ invalid: handler });
    const outcome = processRecord(invalidItem(), context);

    await vi.advanceTimersByTimeAsync(100);

    await expect(outcome).resolves.toBe('done');
    expect(attempts()).toStrictEqual([1, 2]);
  });

  it("skips the record without an invalid handler and onFailure 'skip'", async () => {
    const event = vi.fn();
    const item = invalidItem();
    const { context, names, payloads } = fakeContext({ event }, { onFailure: 'skip' });

    await expect(processRecord(item, context)).resolves.toBe('done');

    expect(event).not.toHaveBeenCalled();
    expect(names()).toStrictEqual(['decodeError', 'skipped']);
    expect(payloads('skipped')).toStrictEqual([
      { topic: TOPIC, partition: 0, offset: 7, error: item.decoded },
    ]);
  });

  it("dead-letters the record without an invalid handler and onFailure 'deadLetter'", async () => {
    const item = invalidItem();
    const { context, deadLetter } = fakeContext({}, { onFailure: 'deadLetter', deadLetterTopic: 'dlq' });

    await expect(processRecord(item, context)).resolves.toBe('done');

    expect(deadLetter).toHaveBeenCalledExactlyOnceWith(item, item.decoded, 1);
  });

  it("pauses without an invalid handler and onFailure 'pause', and waits until the lease halts", async () => {
    const lease = new PartitionLease(TOPIC, 0);
    const item = invalidItem(lease);
    const { context, pauseForFailure, resumeAfterFailure } = fakeContext({}, { onFailure: 'pause' });
    const outcome = processRecord(item, context);
    const state = track(outcome);

    await vi.advanceTimersByTimeAsync(60_000);
    expect(state.settled).toBe(false);
    expect(pauseForFailure).toHaveBeenCalledExactlyOnceWith(item, item.decoded);
    lease.halted();

    await expect(outcome).resolves.toBe('abandoned');
    expect(resumeAfterFailure).not.toHaveBeenCalled();
  });
});
