/** KafkaJS, the pure JavaScript client, with `eachBatch` and default settings. */
import { Kafka, logLevel } from 'kafkajs';
import type { Contender } from './contender.js';

export const kafkaJs: Contender = {
  async start(run, handled) {
    const client = new Kafka({ brokers: run.brokers.split(','), logLevel: logLevel.NOTHING });
    const consumer = client.consumer({ groupId: run.groupId });
    await consumer.connect();
    await consumer.subscribe({ topics: [run.topic], fromBeginning: true });
    await consumer.run({
      eachBatch: async (payload) => {
        const { batch } = payload;
        for (const message of batch.messages) payload.resolveOffset(message.offset);
        handled(batch.messages.length);
        await Promise.resolve();
      },
    });
    return {
      async stop() {
        await consumer.disconnect();
      },
    };
  },
};
