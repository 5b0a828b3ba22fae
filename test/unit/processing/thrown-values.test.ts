/**
 * Handlers (and dead-letter writes) that throw or reject with values that are not Errors: each becomes a
 * typed error with the value as its `cause`, and every record reaches an outcome exactly as with an Error.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PartitionLease } from '../../../src/engine/partition-table.js';
import { HandlerError, isHonoKafkaError, thrownMessage } from '../../../src/errors.js';
import type { HonoEventHandlers } from '../../../src/consumer/handlers.js';
import type { Outcome, ProcessorContext } from '../../../src/processing/process-record.js';
import { processRecord as processRecordNow } from './record-outcome.js';
import type { WorkItem } from '../../../src/processing/work-item.js';
import { captureUnhandledRejections } from '../fakes/unhandled.js';
import { device, fakeContext, invalidItem, itemOf, retry as defaultRetry, TOPIC } from './work-items.js';

type Options = ProcessorContext['options'];

const retry = { ...defaultRetry, maxAttempts: 2 };

/** A Proxy whose every trap throws: even `instanceof` and `typeof x.then` fail on it. */
function hostileProxy(): object {
  const trap = (): never => {
    throw new Error('trap');
  };
  return new Proxy(
    {},
    {
      get: trap,
      getPrototypeOf: trap,
      has: trap,
      ownKeys: trap,
      getOwnPropertyDescriptor: trap,
      defineProperty: trap,
      set: trap,
    },
  );
}

/** An Error whose `message` getter throws. */
function errorWithBadMessage(): Error {
  const error = new Error('hidden');
  Object.defineProperty(error, 'message', {
    get() {
      throw new Error('no message for you');
    },
  });
  return error;
}

/** Each value with a name and the message it must produce (a fresh value per call). */
const values: [string, () => unknown, string | RegExp][] = [
  ['Object.create(null)', () => Object.create(null) as unknown, /non-Error value \(object\)/],
  [
    'an object whose toString throws',
    () => ({
      toString() {
        throw new Error('toString');
      },
    }),
    /non-Error value \(object\)/,
  ],
  ['a Proxy that throws on every access', hostileProxy, /non-Error value \(object\)/],
  ['an Error whose message getter throws', errorWithBadMessage, /non-Error value \(object\)|\(Error\)/],
  ['undefined', () => undefined, /non-Error value: undefined/],
  ['null', () => null, /non-Error value: null/],
  ['a string', () => 'plain text', /(^|: )plain text$/],
  ['a number', () => 42, /non-Error value: 42/],
  ['a symbol', () => Symbol('s'), /non-Error value: Symbol\(s\)/],
  ['an object with a message', () => ({ message: 'from a plain object' }), /(^|: )from a plain object$/],
];

function eventItem(lease = new PartitionLease(TOPIC, 0)): WorkItem {
  return itemOf({ ...device, type: 'event', contentType: 'text/plain', payload: 'x' }, lease);
}

/** The processor context of these tests: two attempts, then skip; expired events are delivered. */
const contextOf = (handlers: HonoEventHandlers, options: Partial<Options> = {}) =>
  fakeContext(handlers, { retry, onFailure: 'skip', expired: 'deliver', ...options });

/**
 * The outcome, reached well before the handler timeout (5 s): a failure that is not wrapped in time
 * would only end by that timeout, with the wrong code.
 */
async function outcomeOf(item: WorkItem, context: ProcessorContext, withinMs = 1_000): Promise<Outcome> {
  let outcome: Outcome | undefined;
  let thrown: unknown;
  let didThrow = false;
  try {
    void Promise.resolve(processRecordNow(item, context)).then(
      (settled) => {
        outcome = settled;
      },
      (error: unknown) => {
        didThrow = true;
        thrown = error;
      },
    );
  } catch (error) {
    didThrow = true;
    thrown = error;
  }
  await vi.advanceTimersByTimeAsync(withinMs);
  if (didThrow) throw new Error('processRecord threw instead of reaching an outcome', { cause: thrown });
  if (outcome === undefined) throw new Error(`no outcome within ${withinMs} ms`);
  return outcome;
}

/** Rejections nobody handled while a test ran (they would end a real process). */
const unhandled = captureUnhandledRejections();

beforeEach(() => {
  vi.useFakeTimers();
  unhandled.start();
});

afterEach(async () => {
  vi.useRealTimers();
  expect(await unhandled.stop()).toStrictEqual([]);
});

describe('thrownMessage', () => {
  it.each(values)('gives a message for %s, and never throws', (_name, make, message) => {
    expect(thrownMessage(make())).toMatch(message);
  });

  it('gives the message of an Error', () => {
    expect(thrownMessage(new TypeError('bad type'))).toBe('bad type');
  });
});

describe('HandlerError.failed', () => {
  it.each(values)('wraps %s, with the value as cause', (_name, make, message) => {
    const value = make();
    const error = HandlerError.failed({ topic: TOPIC, partition: 0, offset: 7 }, 1, value);
    expect(error).toBeInstanceOf(HandlerError);
    expect(error.code).toBe('ERR_HONO_HANDLER_FAILED');
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/^handler failed on hono\.event\.DEFAULT_TENANT\/0@7 \(attempt 1\): /);
    expect(Object.is(error.cause, value)).toBe(true);
  });
});

describe.each(values)('a handler that throws %s', (_name, make) => {
  const throwing = () => {
    throw make();
  };
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the point of the test
  const rejecting = () => Promise.reject(make());
  const returningHostile = () => hostileProxy() as Promise<void>;

  it.each([
    ['synchronously', throwing],
    ['as a rejection', rejecting],
  ])("%s: is retried and skipped with onFailure 'skip'", async (_how, handler) => {
    const event = vi.fn(handler);
    const { context, payloads } = contextOf({ event });

    await expect(outcomeOf(eventItem(), context)).resolves.toBe('done');

    expect(event).toHaveBeenCalledTimes(2);
    const errors = payloads('handlerError');
    expect(errors).toHaveLength(2);
    for (const error of errors) {
      expect(error).toBeInstanceOf(HandlerError);
      expect(error.code).toBe('ERR_HONO_HANDLER_FAILED');
    }
    expect(payloads('retrying')).toHaveLength(1);
    expect(payloads('skipped')).toHaveLength(1);
  });

  it("as a rejection: is written to the dead-letter topic with onFailure 'deadLetter'", async () => {
    const { context, deadLetter, payloads } = contextOf(
      { event: rejecting },
      { onFailure: 'deadLetter', deadLetterTopic: `${TOPIC}.dlq` },
    );

    await expect(outcomeOf(eventItem(), context)).resolves.toBe('done');

    expect(deadLetter).toHaveBeenCalledOnce();
    expect(deadLetter.mock.calls[0]?.[1]).toBeInstanceOf(HandlerError);
    expect(payloads('deadLettered')).toHaveLength(1);
  });

  it("synchronously: pauses with onFailure 'pause', resumes once the handler succeeds", async () => {
    let calls = 0;
    const event = vi.fn(() => {
      calls += 1;
      if (calls <= 3) throwing();
    });
    const { context, pauseForFailure, resumeAfterFailure } = contextOf({ event }, { onFailure: 'pause' });

    await expect(outcomeOf(eventItem(), context, 3_000)).resolves.toBe('done');

    expect(pauseForFailure).toHaveBeenCalledOnce();
    expect(pauseForFailure.mock.calls[0]?.[1]).toBeInstanceOf(HandlerError);
    expect(resumeAfterFailure).toHaveBeenCalledOnce();
  });

  it('from the invalid handler: is retried and skipped like any other', async () => {
    const invalid = vi.fn(rejecting);
    const { context, payloads } = contextOf({ event: vi.fn(), invalid });

    await expect(outcomeOf(invalidItem(), context)).resolves.toBe('done');

    expect(invalid).toHaveBeenCalledTimes(2);
    expect(payloads('handlerError').every((error) => error instanceof HandlerError)).toBe(true);
    expect(payloads('skipped')).toHaveLength(1);
  });

  it('from a dead-letter write: pauses, reports a typed error, and retries the write', async () => {
    const { context, deadLetter, payloads, pauseForFailure, logger } = contextOf(
      { event: () => Promise.reject(new Error('down')) },
      { onFailure: 'deadLetter', deadLetterTopic: `${TOPIC}.dlq`, retry: { ...retry, maxAttempts: 1 } },
    );
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the point of the test
    deadLetter.mockImplementationOnce(() => Promise.reject(make()));

    await expect(outcomeOf(eventItem(), context, 1_500)).resolves.toBe('done');

    expect(pauseForFailure).toHaveBeenCalledOnce();
    const [error] = payloads('error');
    expect(isHonoKafkaError(error)).toBe(true);
    expect(logger.error).toHaveBeenCalledOnce();
    expect(deadLetter).toHaveBeenCalledTimes(2);
    expect(payloads('deadLettered')).toHaveLength(1);
  });

  it('returned as a hostile Proxy instead of a promise: a failed attempt', async () => {
    const { context, payloads } = contextOf({ event: returningHostile });

    await expect(outcomeOf(eventItem(), context)).resolves.toBe('done');

    expect(payloads('handlerError')).toHaveLength(2);
    expect(payloads('skipped')).toHaveLength(1);
  });
});

describe('listeners and loggers that throw non-Errors', () => {
  it('an emit that throws does not keep a record from its outcome', async () => {
    const { context } = contextOf({ event: () => Promise.reject(Object.create(null) as Error) });
    const throwingContext: ProcessorContext = {
      ...context,
      emit: () => {
        throw Object.create(null);
      },
    };

    await expect(outcomeOf(eventItem(), throwingContext)).resolves.toBe('done');
  });
});
