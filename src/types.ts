/**
 * The types that several layers share: a record as the Kafka client delivers it, and partitions and
 * positions. A leaf: it imports nothing from the project, so that every layer (the wire format, the
 * errors, the engine, the client adapter) can use it without depending on another
 * (`npm run check:deps` keeps it so).
 *
 * @module
 */

/**
 * A partition of a topic.
 *
 * @category Consumer
 */
export interface TopicPartition {
  /** The topic. */
  readonly topic: string;
  /** The partition. */
  readonly partition: number;
}

/**
 * A position to commit: the next offset the group will read.
 *
 * @category Consumer
 */
export interface TopicPartitionOffset extends TopicPartition {
  /** The offset: for a commit, the next offset the group will read. */
  readonly offset: number;
}

/**
 * The value of one Kafka header. The Kafka client delivers Buffers; strings are accepted too (read as
 * UTF-8) because the client's own `MessageHeader` type allows them.
 *
 * @category Wire format
 */
export type KafkaHeaderValue = Buffer | string;

/**
 * One Kafka header as the Kafka client delivers it: an object with a single key, e.g.
 * `{ ttd: Buffer.from('60') }`. The headers of a record are an array of these, in wire order, and a
 * name may repeat.
 *
 * @category Wire format
 */
export type KafkaRecordHeader = Readonly<Record<string, KafkaHeaderValue>>;

/**
 * A record as the Kafka client's `KafkaConsumer` (`@confluentinc/kafka-javascript`, node-rdkafka style)
 * delivers it. The client's `Message` type is assignable to it, so a consumed message can be passed to
 * {@link decodeEvent} as is.
 *
 * @category Wire format
 */
export interface KafkaRecord {
  /** The topic the record was read from, e.g. `hono.event.DEFAULT_TENANT`. */
  readonly topic: string;
  /** The partition the record was read from. */
  readonly partition: number;
  /** The offset of the record in its partition. */
  readonly offset: number;
  /**
   * The record key: the device id for Hono records.
   * @defaultValue none: the device id then comes from the `device_id` header
   */
  readonly key?: Buffer | string | null | undefined;
  /** The record value: the payload, `null` for Hono's empty notifications. */
  readonly value: Buffer | null;
  /**
   * The headers in wire order; absent when the record has none.
   * @defaultValue none: read as no headers
   */
  readonly headers?: readonly KafkaRecordHeader[] | undefined;
  /**
   * The record timestamp in ms since the Unix epoch, when the client reports one.
   * @defaultValue none: the `creation-time` header is then required
   */
  readonly timestamp?: number | undefined;
}
