/**
 * The dead-letter producer through a whole consumer (issue 12): its failures are reported, not
 * swallowed, and after a fatal error it is made again, so later records still reach the dead-letter
 * topic and are committed past. `DeadLetters` itself is tested in `test/unit/engine/dead-letters.test.ts`.
 */
import { describe, expect, it, vi } from 'vitest';
import { ClientFailure } from '../../../src/engine/client.js';
import type { HonoKafkaError } from '../../../src/errors.js';
import { fakeKafka } from '../fakes/fake-kafka.js';
import { fakeKafkaPerTest } from '../fakes/per-test.js';

const topic = 'hono.event.t';

const fake = fakeKafkaPerTest([topic]);

describe('the dead-letter producer', () => {
  it('is made again after a fatal error, reports it, and later records are dead-lettered', async () => {
    const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const made = fake.consumer({
      brokers: 'kafka:9092',
      tenant: 't',
      groupId: 'g',
      onFailure: 'deadLetter',
      retry: { maxAttempts: 1 },
      commitIntervalMs: 100,
      logger,
    });
    const errors: HonoKafkaError[] = [];
    made.on('error', (error) => errors.push(error));
    const running = made.run({
      event: () => {
        throw new Error('downstream refused');
      },
    });
    await vi.advanceTimersByTimeAsync(0);
    await running;
    const [first] = fakeKafka.producers;
    if (first === undefined) throw new Error('no dead-letter producer');

    // librdkafka reports a fatal error of the idempotent producer: before, it was swallowed and every
    // later dead-letter write failed.
    first.fatal();
    // A new producer comes at least a second after the previous one was made (here: at the start).
    await vi.advanceTimersByTimeAsync(1_100);
    expect(fakeKafka.producers).toHaveLength(2);
    expect(errors.map(({ code, message }) => ({ code, message }))).toStrictEqual([
      { code: 'ERR_HONO_KAFKA_FATAL', message: expect.stringContaining('dead-letter producer') as string },
    ]);
    expect(logger.error).toHaveBeenCalledWith(expect.stringContaining('dead-letter producer'), {
      code: 'ERR_HONO_KAFKA_FATAL',
    });

    fakeKafka.client.rebalance('assign', [{ topic, partition: 0 }]);
    fakeKafka.broker.produce(topic, 0, 'a');
    fakeKafka.broker.produce(topic, 0, 'b');
    await vi.advanceTimersByTimeAsync(500);
    expect(first.acknowledged).toStrictEqual([]);
    expect(fakeKafka.producers[1]?.acknowledged.map(({ key }) => key?.toString())).toStrictEqual(['a', 'b']);
    expect(fakeKafka.broker.committed(topic, 0)).toBe(2);
  });

  it('reports a failure of its own that is not fatal as an error naming it', async () => {
    const made = fake.consumer({
      brokers: 'kafka:9092',
      tenant: 't',
      groupId: 'g',
      onFailure: 'deadLetter',
      logger: { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() },
    });
    const errors: HonoKafkaError[] = [];
    made.on('error', (error) => errors.push(error));
    const running = made.run({ event: () => undefined });
    await vi.advanceTimersByTimeAsync(0);
    await running;
    fakeKafka.producers[0]?.report(
      new ClientFailure(
        -187,
        'Local: All broker connections are down',
        { isFatal: false, isRetriable: false },
        undefined,
      ),
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(fakeKafka.producers).toHaveLength(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toContain('dead-letter producer');
  });
});
