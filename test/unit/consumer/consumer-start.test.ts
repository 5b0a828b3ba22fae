/**
 * What the constructor and `run()` reject before any broker is involved: settings librdkafka refuses (found
 * by the constructor), handlers that are not handlers, and a consumer that was stopped before it ran.
 * Creating the client touches no network.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { HonoEventConsumer } from '../../../src/consumer/hono-event-consumer.js';
import { OptionsError, StateError } from '../../../src/errors.js';
import type { HonoEventHandlers } from '../../../src/consumer/handlers.js';

const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
const options = { brokers: '127.0.0.1:9', tenant: 'DEFAULT_TENANT', groupId: 'g', logger: quiet } as const;

/** What `fn` throws. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('nothing was thrown');
}

describe('new HonoEventConsumer(): librdkafka settings', () => {
  // Was a bug, fixed: an unknown key was accepted by the constructor and rejected only by run().
  it('rejects a librdkafka setting the client does not know, naming it', () => {
    const failure = thrown(() => new HonoEventConsumer({ ...options, kafka: { 'no.such.setting': 1 } }));
    expect(failure).toBeInstanceOf(OptionsError);
    expect((failure as OptionsError).problems).toStrictEqual([
      {
        path: 'kafka.no.such.setting',
        message: expect.stringMatching(
          /^is not a librdkafka setting \(No such configuration property: "no\.such\.setting"\); see https:\/\/github\.com\/confluentinc\/librdkafka\/blob\/master\/CONFIGURATION\.md$/,
        ) as string,
      },
    ]);
  });

  it('lists every refused setting in one error, with the refused value unless it is a secret', () => {
    const failure = thrown(
      () =>
        new HonoEventConsumer({
          ...options,
          kafka: {
            'no.such': 1,
            'session.timeout.ms': 'abc',
            'fetch.max.bytes': 1024,
            'sasl.password': 'pw-123456',
          },
        }),
    ) as OptionsError;
    expect(failure.problems.map((problem) => problem.path)).toStrictEqual([
      'kafka.no.such',
      'kafka.session.timeout.ms',
    ]);
    expect(failure.problems[1]?.message).toMatch(
      /^has a value librdkafka refuses \(Invalid value for configuration property "session\.timeout\.ms"\); got "abc"$/,
    );
  });

  it('never shows a secret in that OptionsError', () => {
    const failure = thrown(
      () =>
        new HonoEventConsumer({
          ...options,
          kafka: { 'sasl.password': 'hunter2-secret', 'security.protocol': 'no-such-protocol' },
        }),
    ) as OptionsError;
    expect(failure).toBeInstanceOf(OptionsError);
    expect(failure.problems.map((problem) => problem.path)).toStrictEqual(['kafka.security.protocol']);
    expect(failure.message).not.toContain('hunter2-secret');
  });

  it('checks the dead-letter producer settings too', () => {
    const failure = thrown(
      () => new HonoEventConsumer({ ...options, onFailure: 'deadLetter', kafka: { 'no.such': 1 } }),
    );
    expect((failure as OptionsError).problems.map((problem) => problem.path)).toStrictEqual([
      'kafka.no.such',
    ]);
  });

  it('accepts the settings librdkafka knows, and lets kafka override the metadata refresh', () => {
    expect(
      () =>
        new HonoEventConsumer({
          ...options,
          onFailure: 'deadLetter',
          kafka: { 'topic.metadata.refresh.interval.ms': 60_000, 'security.protocol': 'plaintext' },
        }),
    ).not.toThrow();
  });

  it('holds no thread, socket, timer or handle for a consumer that never runs', () => {
    const threads = (): number => readdirSync('/proc/self/task').length;
    const descriptors = (): number => readdirSync('/proc/self/fd').length;
    const before = {
      threads: threads(),
      descriptors: descriptors(),
      resources: process.getActiveResourcesInfo().length,
    };
    const consumers = Array.from(
      { length: 20 },
      () => new HonoEventConsumer({ ...options, onFailure: 'deadLetter' }),
    );
    expect(consumers.every((consumer) => consumer.state === 'idle')).toBe(true);
    expect({
      threads: threads(),
      descriptors: descriptors(),
      resources: process.getActiveResourcesInfo().length,
    }).toStrictEqual(before);
  });
});

describe('HonoEventConsumer.run(): handlers', () => {
  // Was a bug, fixed: run(undefined) resolved, then logged a TypeError about 25 times in 100 s.
  it('rejects run(undefined) with an OptionsError, logs nothing and stays idle', async () => {
    const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const consumer = new HonoEventConsumer({ ...options, logger });
    const failure = await consumer
      .run(undefined as unknown as HonoEventHandlers)
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OptionsError);
    expect((failure as OptionsError).problems).toStrictEqual([
      {
        path: 'handlers',
        message:
          'must be an object of handler functions, e.g. { event: async (event) => { ... } }; got undefined',
      },
    ]);
    expect(consumer.state).toBe('idle');
    expect(consumer.health().state).toBe('idle');
    for (const level of [logger.debug, logger.info, logger.warn, logger.error])
      expect(level).not.toHaveBeenCalled();
    await consumer.stop();
    expect(consumer.state).toBe('stopped');
  });

  it.each([
    [
      'a typo',
      { evnt: () => undefined },
      'handlers.evnt',
      /^is no handler \(did you mean "event"\?\); the handlers are connection, emptyNotification, provisioning, event, invalid$/,
    ],
    [
      'a handler that is no function',
      { event: 'print' },
      'handlers.event',
      /^must be a function; got string$/,
    ],
    ['no handler at all', {}, 'handlers', /^must have at least one handler/],
    ['null', null, 'handlers', /^must be an object of handler functions.*; got null$/],
  ])('rejects %s, and can run() again afterwards', async (_name, handlers, path, message) => {
    const consumer = new HonoEventConsumer(options);
    const failure = await consumer
      .run(handlers as unknown as HonoEventHandlers)
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OptionsError);
    expect((failure as OptionsError).problems).toStrictEqual([
      { path, message: expect.stringMatching(message) as string },
    ]);
    expect(consumer.state).toBe('idle');
  });

  it('keeps its TypeScript signature: run(handlers: HonoEventHandlers): Promise<void>', () => {
    expectTypeOf<HonoEventConsumer['run']>().parameters.toEqualTypeOf<[HonoEventHandlers]>();
    expectTypeOf<HonoEventConsumer['run']>().returns.toEqualTypeOf<Promise<void>>();
  });

  it('says that a consumer runs once when run() follows stop()', async () => {
    const consumer = new HonoEventConsumer(options);
    await consumer.stop();
    await expect(consumer.run({ event: () => undefined })).rejects.toThrow(StateError);
    await expect(consumer.run({ event: () => undefined })).rejects.toThrow(/run\(\) after stop\(\)/);
  });
});
