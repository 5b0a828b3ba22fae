/**
 * The ceiling: the client library's `KafkaConsumer` in a consume loop of 500-record batches, storing the
 * offsets once per batch (auto commit of stored offsets), with no decoding and no handler.
 */
import kafka from '@confluentinc/kafka-javascript';
import type { Contender } from './contender.js';

interface Runtime {
  setDefaultConsumeTimeout(ms: number): void;
  setDefaultIsTimeoutOnlyForFirstMessage(value: boolean): void;
}

export const raw: Contender = {
  async start(run, handled) {
    const consumer = new kafka.KafkaConsumer(
      {
        'bootstrap.servers': run.brokers,
        'group.id': run.groupId,
        'enable.auto.commit': true,
        'enable.auto.offset.store': false,
        'partition.assignment.strategy': 'cooperative-sticky',
      },
      { 'auto.offset.reset': 'earliest' },
    );
    const runtime = consumer as unknown as Runtime;
    runtime.setDefaultConsumeTimeout(100);
    runtime.setDefaultIsTimeoutOnlyForFirstMessage(true);
    await new Promise<void>((resolve, reject) => {
      consumer.connect({ timeout: 30_000 }, (error: kafka.LibrdKafkaError | null | undefined) => {
        if (error === null || error === undefined) resolve();
        else reject(new Error(error.message));
      });
    });
    consumer.subscribe([run.topic]);
    const state = { running: true };
    const loop = (async () => {
      while (state.running) {
        const messages = await new Promise<kafka.Message[]>((resolve, reject) => {
          consumer.consume(500, (error: kafka.LibrdKafkaError | null | undefined, batch) => {
            if (error === null || error === undefined) resolve(batch);
            else reject(new Error(error.message));
          });
        });
        if (messages.length === 0) continue;
        const last = new Map<number, number>();
        for (const message of messages) last.set(message.partition, message.offset);
        consumer.offsetsStore(
          [...last].map(([partition, offset]) => ({ topic: run.topic, partition, offset: offset + 1 })),
        );
        handled(messages.length);
      }
    })();
    return {
      async stop() {
        state.running = false;
        await loop;
        await new Promise((resolve) => consumer.disconnect(resolve));
      },
    };
  },
};
