import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadLetters, type DeadLettersOptions } from '../../../src/engine/dead-letters.js';
import { ClientFailure, type OutgoingRecord } from '../../../src/engine/client.js';
import { KafkaClientError, StateError } from '../../../src/errors.js';
import { type FakeProducer, fakeProducers, fatalFailure } from '../fakes/fake-producer.js';

const TOPIC = 'hono.event.acme.dlq';
const BROKERS = 'kafka-1:9092,kafka-2:9092';
const SECRET = 's3cr3t-password';

const brokersDown = new ClientFailure(
  -187,
  'Local: All broker connections are down',
  { isFatal: false, isRetriable: true },
  undefined,
);
const transportFailure = new ClientFailure(
  -195,
  'Local: Broker transport failure',
  { isFatal: false, isRetriable: false },
  undefined,
);

const record = (n: number): OutgoingRecord => ({
  topic: TOPIC,
  key: Buffer.from(`device-${n}`),
  value: Buffer.from(`value-${n}`),
  headers: [],
});

/** A dead-letter producer over fake producers; every report is kept. */
function deadLettersWith(
  setUp: (producer: FakeProducer, index: number) => void = () => undefined,
  options: Partial<DeadLettersOptions> = {},
) {
  const producers = fakeProducers(setUp);
  const reports: KafkaClientError[] = [];
  const deadLetters = new DeadLetters({
    makeProducer: producers.make,
    topic: TOPIC,
    report: (error) => reports.push(error),
    secrets: [SECRET],
    brokers: BROKERS,
    ...options,
  });
  return { deadLetters, made: producers.made, reports };
}

/** A promise's outcome, readable without awaiting it. */
function track(promise: Promise<unknown>) {
  const state: { settled: boolean; error?: unknown } = { settled: false };
  promise.then(
    () => {
      state.settled = true;
    },
    (error: unknown) => {
      state.settled = true;
      state.error = error;
    },
  );
  return state;
}

const producer = (made: FakeProducer[], index: number): FakeProducer => {
  const found = made[index];
  if (found === undefined) throw new Error(`no producer ${index} (made: ${made.length})`);
  return found;
};

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('DeadLetters', () => {
  it('makes its first producer in the constructor, connects it, and resolves sends once acknowledged', async () => {
    const { deadLetters, made, reports } = deadLettersWith();
    expect(made).toHaveLength(1);

    await deadLetters.connect(10_000);
    await deadLetters.send(record(1));

    expect(producer(made, 0).acknowledged).toEqual([record(1)]);
    expect(reports).toEqual([]);
    expect(deadLetters.recreations).toBe(0);
  });

  it('lets an error of the factory in the constructor through (the engine turns it into an options error)', () => {
    const refused = new Error('Invalid value for configuration property "linger.ms"');
    expect(
      () =>
        new DeadLetters({
          makeProducer: () => {
            throw refused;
          },
          topic: TOPIC,
          report: () => undefined,
          secrets: [],
          brokers: BROKERS,
        }),
    ).toThrow(refused);
  });

  describe('after a fatal error', () => {
    it('reports it once, closes the broken producer, makes one new producer, and sends go to it', async () => {
      const { deadLetters, made, reports } = deadLettersWith();
      await deadLetters.connect(10_000);
      await vi.advanceTimersByTimeAsync(60_000);

      producer(made, 0).fatal();
      // Repeated fatal reports of the broken producer are its last words, not news.
      producer(made, 0).fatal();
      await vi.advanceTimersByTimeAsync(0);

      expect(reports).toHaveLength(1);
      expect(reports[0]).toBeInstanceOf(KafkaClientError);
      expect(reports[0]?.code).toBe('ERR_HONO_KAFKA_FATAL');
      expect(reports[0]?.message).toMatch(
        /^the dead-letter producer for topic hono\.event\.acme\.dlq is closed and made again after a fatal error \(bootstrap servers: kafka-1:9092,kafka-2:9092\): the client hit a fatal error/,
      );
      expect(producer(made, 0).disconnectCalls).toBe(1);
      // Made at once: the first producer lived longer than the back-off.
      expect(made).toHaveLength(2);
      expect(producer(made, 1).connectCalls).toBe(1);
      expect(deadLetters.recreations).toBe(1);

      await deadLetters.send(record(1));
      await deadLetters.send(record(2));
      expect(producer(made, 1).acknowledged).toEqual([record(1), record(2)]);
      expect(producer(made, 0).acknowledged).toEqual([]);
      expect(made).toHaveLength(2);
    });

    it('connects the new producer within the timeout given to connect(), or reconnectTimeoutMs', async () => {
      for (const [options, expected] of [
        [{}, 7_000],
        [{ reconnectTimeoutMs: 3_000 }, 3_000],
      ] as const) {
        const { deadLetters, made } = deadLettersWith(undefined, options);
        await deadLetters.connect(7_000);
        await vi.advanceTimersByTimeAsync(60_000);
        producer(made, 0).fatal();
        await vi.advanceTimersByTimeAsync(0);
        expect(producer(made, 1).connectTimeouts).toEqual([expected]);
      }
    });

    it('closes the broken producer within brokenCloseTimeoutMs', async () => {
      const { deadLetters, made } = deadLettersWith(undefined, { brokenCloseTimeoutMs: 2_500 });
      await deadLetters.connect(7_000);
      producer(made, 0).fatal();
      expect(producer(made, 0).disconnectTimeouts).toEqual([2_500]);
    });

    it('retries a send that was on its way when the fatal error came, once, on the new producer', async () => {
      const { deadLetters, made, reports } = deadLettersWith((fake, index) => {
        if (index === 0) fake.sendBehaviour = 'hold';
      });
      await deadLetters.connect(10_000);
      await vi.advanceTimersByTimeAsync(60_000);
      const sending = track(deadLetters.send(record(1)));
      await vi.advanceTimersByTimeAsync(0);
      expect(producer(made, 0).held).toHaveLength(1);

      // The broken producer never answers for the record: it is given up when its close ended.
      producer(made, 0).fatal();
      await vi.advanceTimersByTimeAsync(0);

      expect(sending).toEqual({ settled: true });
      expect(producer(made, 1).acknowledged).toEqual([record(1)]);
      expect(reports.map((error) => error.code)).toEqual(['ERR_HONO_KAFKA_FATAL']);
    });

    it('gives up a record held by a broken producer that does not close after brokenCloseTimeoutMs', async () => {
      const { deadLetters, made } = deadLettersWith(
        (fake, index) => {
          if (index === 0) {
            fake.sendBehaviour = 'hold';
            fake.disconnectBehaviour = 'hang';
          }
        },
        { brokenCloseTimeoutMs: 2_000 },
      );
      await deadLetters.connect(10_000);
      await vi.advanceTimersByTimeAsync(60_000);
      const sending = track(deadLetters.send(record(1)));
      await vi.advanceTimersByTimeAsync(0);

      producer(made, 0).fatal();
      await vi.advanceTimersByTimeAsync(1_999);
      expect(sending.settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);

      expect(sending).toEqual({ settled: true });
      expect(producer(made, 1).acknowledged).toEqual([record(1)]);
    });

    it('recognizes a fatal error from a rejected send alone (a delivery report), and retries that send', async () => {
      const { deadLetters, made, reports } = deadLettersWith((fake, index) => {
        if (index === 0) fake.sendBehaviour = fatalFailure('Fatal error: Broker: Producer fenced');
      });
      await deadLetters.connect(10_000);
      await vi.advanceTimersByTimeAsync(60_000);

      await deadLetters.send(record(1));

      expect(producer(made, 1).acknowledged).toEqual([record(1)]);
      expect(reports.map((error) => error.code)).toEqual(['ERR_HONO_KAFKA_FATAL']);
      expect(deadLetters.recreations).toBe(1);
    });

    it('tries a send only once more: when the new producer refuses it too, the send rejects with a typed error', async () => {
      const { deadLetters, made } = deadLettersWith((fake, index) => {
        if (index === 0) fake.sendBehaviour = fatalFailure();
        else
          fake.sendBehaviour = new ClientFailure(
            3,
            'Broker: Unknown topic or partition',
            { isFatal: false, isRetriable: false },
            undefined,
          );
      });
      await deadLetters.connect(10_000);
      await vi.advanceTimersByTimeAsync(60_000);

      const error: unknown = await deadLetters.send(record(1)).catch((failure: unknown) => failure);

      expect(error).toBeInstanceOf(KafkaClientError);
      expect((error as KafkaClientError).code).toBe('ERR_HONO_KAFKA');
      expect((error as KafkaClientError).message).toMatch(/^deadLetter: .*Unknown topic or partition/);
      expect(made).toHaveLength(2);
    });

    it('lets concurrent sends share one recreation, also those that come while it is under way', async () => {
      const { deadLetters, made } = deadLettersWith((fake, index) => {
        if (index === 0) fake.sendBehaviour = 'hold';
      });
      await deadLetters.connect(10_000);
      // Broken right after it was made: the recreation waits for the back-off (1 s).
      const onTheirWay = [1, 2, 3].map((n) => track(deadLetters.send(record(n))));
      await vi.advanceTimersByTimeAsync(0);
      producer(made, 0).fatal();
      await vi.advanceTimersByTimeAsync(0);
      const later = [4, 5].map((n) => track(deadLetters.send(record(n))));
      await vi.advanceTimersByTimeAsync(500);
      expect(made).toHaveLength(1);
      expect([...onTheirWay, ...later].every((state) => !state.settled)).toBe(true);

      await vi.advanceTimersByTimeAsync(500);

      expect(made).toHaveLength(2);
      expect([...onTheirWay, ...later]).toEqual(Array.from({ length: 5 }, () => ({ settled: true })));
      expect(producer(made, 1).acknowledged.map((sent) => sent.value?.toString())).toEqual(
        expect.arrayContaining(['value-1', 'value-2', 'value-3', 'value-4', 'value-5']),
      );
      expect(deadLetters.recreations).toBe(1);
    });
  });

  describe('a new producer that breaks at once', () => {
    it('when the fatal error comes while it connects: the next one is made after the back-off, and waiting sends go to it', async () => {
      const { deadLetters, made, reports } = deadLettersWith((fake, index) => {
        if (index === 1) {
          fake.connect = () => {
            fake.fatal();
            return Promise.resolve();
          };
        }
      });
      await deadLetters.connect(10_000);
      await vi.advanceTimersByTimeAsync(60_000);
      producer(made, 0).fatal();
      const sending = track(deadLetters.send(record(1)));
      await vi.advanceTimersByTimeAsync(0);
      expect(made).toHaveLength(2);
      expect(sending.settled).toBe(false);

      await vi.advanceTimersByTimeAsync(1_999);
      expect(made).toHaveLength(2);
      await vi.advanceTimersByTimeAsync(1);

      expect(made).toHaveLength(3);
      expect(sending).toEqual({ settled: true });
      expect(producer(made, 2).acknowledged).toEqual([record(1)]);
      expect(reports.map((error) => error.code)).toEqual(['ERR_HONO_KAFKA_FATAL', 'ERR_HONO_KAFKA_FATAL']);
      expect(producer(made, 1).disconnectCalls).toBe(1);
    });

    // Some ticks after connect() resolved: while it connects, after it connected but before the
    // recreation ended, and after that; each time exactly one more producer is made.
    it.each([0, 1, 2, 3, 4, 5, 6, 8, 12])(
      'when the fatal error comes %i ticks after it connected: the next one is made too, without a send',
      async (ticks) => {
        const { deadLetters, made } = deadLettersWith((fake, index) => {
          if (index === 1) {
            fake.connect = () => {
              let later = Promise.resolve();
              for (let tick = 0; tick < ticks; tick++) later = later.then(() => undefined);
              void later.then(() => {
                fake.fatal();
              });
              return Promise.resolve();
            };
          }
        });
        await deadLetters.connect(10_000);
        await vi.advanceTimersByTimeAsync(60_000);
        producer(made, 0).fatal();
        await vi.advanceTimersByTimeAsync(0);
        expect(made).toHaveLength(2);

        await vi.advanceTimersByTimeAsync(2_000);

        expect(made).toHaveLength(3);
        expect(producer(made, 2).connectCalls).toBe(1);
        await vi.advanceTimersByTimeAsync(60_000);
        expect(made).toHaveLength(3);
      },
    );
  });

  describe('back-off between recreations', () => {
    it('waits 1 s, then 2 s, 4 s, ... up to 30 s between producers, and starts at 1 s again after an acknowledged write', async () => {
      const { deadLetters, made } = deadLettersWith();
      const start = Date.now();
      await deadLetters.connect(10_000);
      /** Breaks the newest producer and waits for the next one; returns the time it was made at. */
      const breakNewest = async (): Promise<number> => {
        const count = made.length;
        producer(made, count - 1).fatal();
        for (let step = 0; made.length === count; step++) {
          if (step === 100) throw new Error(`no producer after producer ${count - 1} broke`);
          await vi.advanceTimersToNextTimerAsync();
        }
        return producer(made, count).madeAt - start;
      };

      const made1 = await breakNewest();
      const made2 = await breakNewest();
      const made3 = await breakNewest();
      const gaps = [made1, made2 - made1, made3 - made2];
      expect(gaps).toEqual([1_000, 2_000, 4_000]);
      for (let i = 0; i < 4; i++) await breakNewest();
      const made8 = await breakNewest();
      const made9 = await breakNewest();
      expect(made9 - made8).toBe(30_000);

      // An acknowledged write: the next recreation waits 1 s again.
      await deadLetters.send(record(1));
      const before = producer(made, made.length - 1).madeAt;
      await vi.advanceTimersByTimeAsync(5_000);
      const after = await breakNewest();
      expect(after - (before - start)).toBe(5_000);
      const next = await breakNewest();
      expect(next - after).toBe(2_000);
    });

    it('does not make a producer again on its own after a recreation failed to connect: the next send does, after the delay', async () => {
      const { deadLetters, made, reports } = deadLettersWith((fake, index) => {
        if (index === 1) fake.connectBehaviour = transportFailure;
      });
      await deadLetters.connect(10_000);
      await vi.advanceTimersByTimeAsync(60_000);
      producer(made, 0).fatal();
      await vi.advanceTimersByTimeAsync(0);

      expect(made).toHaveLength(2);
      expect(reports.map((error) => error.code)).toEqual(['ERR_HONO_KAFKA_FATAL', 'ERR_HONO_BROKERS_DOWN']);
      expect(reports[1]?.message).toMatch(
        /^the dead-letter producer for topic hono\.event\.acme\.dlq, made again after a fatal error, cannot connect to Kafka \(bootstrap servers: kafka-1:9092,kafka-2:9092\): /,
      );
      expect(producer(made, 1).disconnectCalls).toBe(1);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(made).toHaveLength(2);

      await deadLetters.send(record(1));

      expect(made).toHaveLength(3);
      expect(producer(made, 2).acknowledged).toEqual([record(1)]);
      expect(deadLetters.recreations).toBe(2);
    });

    it('rejects the sends that waited for a recreation that could not connect, with its error', async () => {
      let failConnect: (failure: ClientFailure) => void = () => undefined;
      const { deadLetters, made } = deadLettersWith((fake, index) => {
        if (index === 1) {
          fake.connect = () =>
            new Promise((_resolve, reject) => {
              failConnect = reject;
            });
        }
      });
      await deadLetters.connect(10_000);
      await vi.advanceTimersByTimeAsync(60_000);
      producer(made, 0).fatal();
      const sending = track(deadLetters.send(record(1)));
      await vi.advanceTimersByTimeAsync(0);
      expect(sending.settled).toBe(false);

      failConnect(transportFailure);
      await vi.advanceTimersByTimeAsync(0);

      expect(sending.settled).toBe(true);
      expect(sending.error).toBeInstanceOf(KafkaClientError);
      expect((sending.error as KafkaClientError).message).toMatch(
        /^the dead-letter producer for topic .*, made again after a fatal error, cannot connect to Kafka/,
      );
    });
  });

  describe('failures that are not fatal', () => {
    it('reports client errors as typed errors that name the dead-letter producer, scrubbed, and makes no new producer', async () => {
      const { deadLetters, made, reports } = deadLettersWith();
      await deadLetters.connect(10_000);

      producer(made, 0).report(brokersDown);
      producer(made, 0).report(
        new ClientFailure(
          -1,
          `sasl.password=${SECRET} refused`,
          { isFatal: false, isRetriable: false },
          undefined,
        ),
      );

      expect(reports.map((error) => error.code)).toEqual(['ERR_HONO_BROKERS_DOWN', 'ERR_HONO_KAFKA']);
      expect(reports[0]?.message).toMatch(
        /^the dead-letter producer for topic hono\.event\.acme\.dlq \(bootstrap servers: kafka-1:9092,kafka-2:9092\): .*All broker connections are down/,
      );
      expect(reports[0]?.retriable).toBe(true);
      expect(reports[1]?.message).not.toContain(SECRET);
      expect(reports[1]?.message).toContain('[redacted]');
      expect(made).toHaveLength(1);
    });

    it('rejects a refused send with the typed error of the deadLetter operation, without a retry', async () => {
      const { deadLetters, made } = deadLettersWith((fake) => {
        fake.sendBehaviour = brokersDown;
      });
      await deadLetters.connect(10_000);

      const error: unknown = await deadLetters.send(record(1)).catch((failure: unknown) => failure);

      expect(error).toBeInstanceOf(KafkaClientError);
      expect((error as KafkaClientError).code).toBe('ERR_HONO_BROKERS_DOWN');
      expect((error as KafkaClientError).message).toMatch(/^deadLetter: /);
      expect((error as KafkaClientError).cause).toBeInstanceOf(ClientFailure);
      expect(made).toHaveLength(1);
    });

    it('turns a send that throws something that is no Error into a typed error', async () => {
      const { deadLetters, made } = deadLettersWith();
      await deadLetters.connect(10_000);
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the point of the test
      producer(made, 0).send = () => Promise.reject(Object.create(null) as unknown);

      const error: unknown = await deadLetters.send(record(1)).catch((failure: unknown) => failure);

      expect(error).toBeInstanceOf(KafkaClientError);
    });
  });

  describe('connect', () => {
    it('says that the dead-letter producer could not connect, and why, and closes it', async () => {
      const { deadLetters, made } = deadLettersWith((fake) => {
        fake.connect = () => {
          // Failures reported while connecting explain the failed connect.
          fake.report(
            new ClientFailure(
              -1,
              'kafka-1:9092/bootstrap: Connect to ipv4#10.0.0.1:9092 failed: Connection refused',
              { isFatal: false, isRetriable: false },
              undefined,
            ),
          );
          return Promise.reject(transportFailure);
        };
      });

      const error: unknown = await deadLetters.connect(10_000).catch((failure: unknown) => failure);

      expect(error).toBeInstanceOf(KafkaClientError);
      expect((error as KafkaClientError).code).toBe('ERR_HONO_BROKERS_DOWN');
      expect((error as KafkaClientError).message).toMatch(
        /^the dead-letter producer for topic hono\.event\.acme\.dlq cannot connect to Kafka \(bootstrap servers: kafka-1:9092,kafka-2:9092\): .*Connection refused/,
      );
      expect(producer(made, 0).disconnectCalls).toBe(1);
      await expect(deadLetters.send(record(1))).rejects.toBeInstanceOf(KafkaClientError);
      await expect(deadLetters.disconnect(1_000)).resolves.toBe(true);
    });

    it('refuses a second connect()', async () => {
      const { deadLetters } = deadLettersWith();
      await deadLetters.connect(10_000);
      await expect(deadLetters.connect(10_000)).rejects.toBeInstanceOf(StateError);
    });

    it('rejects a send before connect()', async () => {
      const { deadLetters } = deadLettersWith();
      await expect(deadLetters.send(record(1))).rejects.toThrow(/is not connected/);
    });

    it('treats a fatal error reported while connecting, by a producer that connected all the same, as fatal', async () => {
      const { deadLetters, made, reports } = deadLettersWith((fake, index) => {
        if (index === 0) {
          fake.connect = () => {
            fake.fatal();
            return Promise.resolve();
          };
        }
      });
      await deadLetters.connect(10_000);
      await vi.advanceTimersByTimeAsync(1_000);

      expect(reports.map((error) => error.code)).toEqual(['ERR_HONO_KAFKA_FATAL']);
      expect(made).toHaveLength(2);
      await deadLetters.send(record(1));
      expect(producer(made, 1).acknowledged).toEqual([record(1)]);
    });
  });

  describe('disconnect', () => {
    it('closes the current producer and resolves true', async () => {
      const { deadLetters, made } = deadLettersWith();
      await deadLetters.connect(10_000);

      await expect(deadLetters.disconnect(5_000)).resolves.toBe(true);

      expect(producer(made, 0).disconnectCalls).toBe(1);
      await expect(deadLetters.send(record(1))).rejects.toThrow(/was closed/);
      // Calling it again answers the same.
      await expect(deadLetters.disconnect(5_000)).resolves.toBe(true);
      expect(producer(made, 0).disconnectCalls).toBe(1);
    });

    it('resolves false after the timeout when the producer never closes, and ends the sends it holds', async () => {
      const { deadLetters, made } = deadLettersWith((fake) => {
        fake.sendBehaviour = 'hold';
        fake.disconnectBehaviour = 'hang';
      });
      await deadLetters.connect(10_000);
      const sending = track(deadLetters.send(record(1)));
      const closing = track(deadLetters.disconnect(3_000));
      const closed = deadLetters.disconnect(3_000);

      await vi.advanceTimersByTimeAsync(2_999);
      expect(closing.settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);

      await expect(closed).resolves.toBe(false);
      expect(producer(made, 0).disconnectTimeouts).toEqual([3_000]);
      expect(sending.settled).toBe(true);
      expect((sending.error as KafkaClientError).message).toMatch(/^deadLetter: .* was closed/);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('rejects sends that wait for a recreation at once, and makes no producer after it', async () => {
      const { deadLetters, made } = deadLettersWith();
      await deadLetters.connect(10_000);
      producer(made, 0).fatal();
      const sending = track(deadLetters.send(record(1)));
      await vi.advanceTimersByTimeAsync(100);

      await deadLetters.disconnect(1_000);
      await vi.advanceTimersByTimeAsync(0);

      expect(sending.settled).toBe(true);
      expect((sending.error as KafkaClientError).message).toMatch(/was closed/);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(made).toHaveLength(1);
    });

    it('closes a producer that is still connecting in a recreation, and reports nothing about it', async () => {
      const { deadLetters, made, reports } = deadLettersWith((fake, index) => {
        if (index === 1) fake.connectBehaviour = 'hang';
      });
      await deadLetters.connect(10_000);
      await vi.advanceTimersByTimeAsync(60_000);
      producer(made, 0).fatal();
      await vi.advanceTimersByTimeAsync(0);
      expect(made).toHaveLength(2);

      await expect(deadLetters.disconnect(1_000)).resolves.toBe(true);

      expect(producer(made, 1).disconnectCalls).toBe(1);
      producer(made, 1).report(brokersDown);
      expect(reports.map((error) => error.code)).toEqual(['ERR_HONO_KAFKA_FATAL']);
    });

    it('also waits, within the same bound, for a broken producer that is still closing', async () => {
      const { deadLetters, made } = deadLettersWith((fake, index) => {
        if (index === 0) fake.disconnectBehaviour = 'hang';
      });
      await deadLetters.connect(10_000);
      await vi.advanceTimersByTimeAsync(60_000);
      producer(made, 0).fatal();
      await vi.advanceTimersByTimeAsync(0);

      const closed = deadLetters.disconnect(2_000);
      await vi.advanceTimersByTimeAsync(2_000);

      await expect(closed).resolves.toBe(false);
      expect(producer(made, 1).disconnectCalls).toBe(1);
    });
  });
});
