/**
 * The ceiling: the client library's `KafkaConsumer` in a consume loop of 500-record batches, storing the
 * offsets once per batch (auto commit of stored offsets), with no decoding and no handler. With a
 * subscription of several tenants it subscribes to their topics or to the same pattern as the SDK.
 */
import kafka from '@confluentinc/kafka-javascript';
import { type Contender, subscribedTopics } from './contender.js';

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
    consumer.subscribe(subscribedTopics(run));
    const counted = run.subscription?.countedTopicPrefix;
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
        const last = new Map<string, { topic: string; partition: number; offset: number }>();
        let count = 0;
        for (const message of messages) {
          const { topic, partition, offset } = message;
          last.set(`${topic}/${String(partition)}`, { topic, partition, offset: offset + 1 });
          if (counted === undefined || topic.startsWith(counted)) count += 1;
        }
        consumer.offsetsStore([...last.values()]);
        if (count > 0) handled(count);
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
