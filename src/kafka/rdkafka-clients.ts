/**
 * The adapter's {@link ClientFactories}: the engine's clients made with `@confluentinc/kafka-javascript`.
 */
import type { ClientFactories } from '../engine/client.js';
import { clientCodes, RdkafkaConsumer } from './rdkafka-consumer.js';
import { RdkafkaProducer } from './rdkafka-producer.js';

/** Makes the engine's clients with librdkafka. */
export const rdkafkaClients: ClientFactories = {
  consumer: (settings, listeners) => new RdkafkaConsumer(settings, listeners),
  producer: (settings, listeners) => new RdkafkaProducer(settings, listeners),
  beginning: RdkafkaConsumer.beginning,
  isUnknownTopic: (failure) => failure.code === clientCodes.unknownTopic,
};
