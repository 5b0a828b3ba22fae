/**
 * Per-test set-up for consumer tests on the fake Kafka: fake timers, a fresh broker with the given
 * topics, and every consumer a test made stopped (with time run on) after it.
 */
import { afterEach, beforeEach, vi } from 'vitest';
import { HonoEventConsumer } from '../../../src/consumer/hono-event-consumer.js';
import { withClients } from '../../../src/consumer/consumer-engine.js';
import type { HonoEventConsumerOptions } from '../../../src/consumer/options.js';
import { fakeClients, fakeKafka } from './fake-kafka.js';

/**
 * Registers the set-up and clean-up of each test of the calling file.
 *
 * @param topics - the topics the fake broker has
 * @returns `consumer(options)`, which makes a consumer on the fake Kafka that is stopped after the test
 */
export function fakeKafkaPerTest(topics: readonly string[]): {
  consumer(options: HonoEventConsumerOptions): HonoEventConsumer;
} {
  const made: HonoEventConsumer[] = [];
  beforeEach(() => {
    vi.useFakeTimers();
    fakeKafka.reset();
    for (const topic of topics) fakeKafka.broker.topics.add(topic);
  });
  afterEach(async () => {
    const stopping = Promise.all(made.splice(0).map((consumer) => consumer.stop()));
    await vi.advanceTimersByTimeAsync(30_000);
    await stopping;
    vi.useRealTimers();
  });
  return {
    consumer: (options) => {
      const consumer = withClients(fakeClients, () => new HonoEventConsumer(options));
      made.push(consumer);
      return consumer;
    },
  };
}
