/** `@platformatic/kafka` (pure JavaScript), its message stream with auto commit. */
import { Consumer, MessagesStreamFallbackModes, MessagesStreamModes } from '@platformatic/kafka';
import type { Contender } from './contender.js';

export const platformatic: Contender = {
  async start(run, handled) {
    const consumer = new Consumer({
      groupId: run.groupId,
      clientId: 'bench-platformatic',
      bootstrapBrokers: run.brokers.split(','),
    });
    const stream = await consumer.consume({
      topics: [run.topic],
      mode: MessagesStreamModes.COMMITTED,
      fallbackMode: MessagesStreamFallbackModes.EARLIEST,
      autocommit: true,
    });
    stream.on('data', () => {
      handled(1);
    });
    return {
      async stop() {
        await stream.close();
        await new Promise<void>((resolve) => {
          consumer.close(true, () => {
            resolve();
          });
        });
      },
    };
  },
};
