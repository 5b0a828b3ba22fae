/** The client library's KafkaJS-compatible API (`.KafkaJS`) with `eachBatch`, default settings. */
import kafka from '@confluentinc/kafka-javascript';
import type { Contender } from './contender.js';

export const confluentKafkaJs: Contender = {
  async start(run, handled) {
    const client = new kafka.KafkaJS.Kafka({
      kafkaJS: { brokers: run.brokers.split(','), logLevel: kafka.KafkaJS.logLevel.NOTHING },
    });
    const consumer = client.consumer({ kafkaJS: { groupId: run.groupId, fromBeginning: true } });
    await consumer.connect();
    await consumer.subscribe({ topics: [run.topic] });
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
