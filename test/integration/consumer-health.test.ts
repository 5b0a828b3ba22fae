/**
 * `health()` while `run()` is still looking for a broker: not connected, so that a readiness probe fed by
 * it does not report ready too early.
 */
import { describe, expect, it } from 'vitest';
import { HonoEventConsumer } from '../../src/consumer/hono-event-consumer.js';
import { KafkaClientError } from '../../src/errors.js';
import { quietLogger } from './consumer-helpers.js';

describe('health() during start', () => {
  it('is not connected while run() still waits for an unreachable broker, nor after it failed', async () => {
    const consumer = new HonoEventConsumer({
      brokers: '127.0.0.1:1',
      tenant: 'DEFAULT_TENANT',
      groupId: 'health-during-start',
      connectTimeoutMs: 1_500,
      logger: quietLogger,
    });
    const running = consumer.run({ event: () => undefined });
    const failed = expect(running).rejects.toBeInstanceOf(KafkaClientError);
    const samples: boolean[] = [];
    while (consumer.state === 'starting') {
      samples.push(consumer.health().connected);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await failed;
    expect(samples.length).toBeGreaterThan(5);
    expect(samples.every((connected) => !connected)).toBe(true);
    expect(consumer.health()).toMatchObject({ state: 'failed', connected: false });
  });
});
