/**
 * `run()` failures that need no broker: settings librdkafka rejects, and a consumer that was stopped
 * before it ran. Creating the client touches no network.
 */
import { describe, expect, it } from 'vitest';
import { HonoEventConsumer } from '../../../src/consumer.js';
import { OptionsError, StateError } from '../../../src/errors.js';

const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
const options = { brokers: '127.0.0.1:9', tenant: 'DEFAULT_TENANT', groupId: 'g', logger: quiet } as const;

describe('HonoEventConsumer.run()', () => {
  it('rejects a librdkafka setting the client does not know with an OptionsError, and is failed', async () => {
    const consumer = new HonoEventConsumer({ ...options, kafka: { 'no.such.setting': 1 } });
    const failure = await consumer.run({}).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OptionsError);
    expect((failure as OptionsError).problems).toStrictEqual([
      { path: 'kafka', message: expect.stringContaining('no.such.setting') as string },
    ]);
    expect(consumer.state).toBe('failed');
    await consumer.stop();
    expect(consumer.state).toBe('stopped');
  });

  it('never shows a secret in that OptionsError', async () => {
    const consumer = new HonoEventConsumer({
      ...options,
      kafka: { 'sasl.password': 'hunter2-secret', 'security.protocol': 'no-such-protocol' },
    });
    const failure = await consumer.run({}).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OptionsError);
    expect(JSON.stringify((failure as OptionsError).problems)).not.toContain('hunter2-secret');
  });

  it('says that a consumer runs once when run() follows stop()', async () => {
    const consumer = new HonoEventConsumer(options);
    await consumer.stop();
    await expect(consumer.run({})).rejects.toThrow(StateError);
    await expect(consumer.run({})).rejects.toThrow(/run\(\) after stop\(\)/);
  });
});
