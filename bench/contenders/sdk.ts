/** This SDK: decoding into typed events, a no-op async handler, at-least-once commits, per ordering mode. */
import type { HonoEventConsumerOptions } from '../../src/index.js';
import { loadSdk, quietLogger } from '../lib/sdk.js';
import type { Contender } from './contender.js';

/** The SDK with `ordering` and otherwise default options. */
export function sdk(ordering: NonNullable<HonoEventConsumerOptions['ordering']>): Contender {
  return {
    async start(run, handled) {
      const { HonoEventConsumer } = await loadSdk();
      const consumer = new HonoEventConsumer({
        brokers: run.brokers,
        tenant: run.tenant,
        groupId: run.groupId,
        ordering,
        logger: quietLogger,
      });
      const noop = async (): Promise<void> => {
        handled(1);
        await Promise.resolve();
      };
      await consumer.run({ event: noop, emptyNotification: noop, connection: noop, invalid: noop });
      return { stop: () => consumer.stop() };
    },
  };
}
