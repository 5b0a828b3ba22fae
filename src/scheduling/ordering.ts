/**
 * Which records of a partition must be handled one after another, expressed as a scheduling key.
 *
 * @module
 */

/**
 * How records are ordered while they are handled:
 * - `device`: a device's records of one partition one after another, different devices concurrently;
 * - `partition`: one record at a time per partition;
 * - `none`: every record concurrently (up to the concurrency limit).
 *
 * @category Consumer
 */
export const Ordering = {
  /** A device's records in order; different devices concurrently. */
  device: 'device',
  /** One record at a time per partition. */
  partition: 'partition',
  /** No order: every record may run concurrently. */
  none: 'none',
} as const;

/**
 * One of the values of {@link Ordering}.
 *
 * @category Consumer
 */
export type Ordering = (typeof Ordering)[keyof typeof Ordering];

/** What {@link orderingKey} needs to know about a record. */
export interface OrderingRecord {
  /** The record's topic. */
  readonly topic: string;
  /** The record's partition. */
  readonly partition: number;
  /** The record's offset. */
  readonly offset: number;
  /** The device the record is from, when known. */
  readonly deviceId: string | undefined;
}

/**
 * The scheduling key of a record: records with the same key are handled one after another, in order.
 * `device` keys extend the partition key with the device id, `none` keys with the offset, so keys of
 * different partitions never meet. A record without a device id (undefined or empty) gets the partition
 * key in `device` mode: it is ordered with the whole partition rather than with nothing.
 *
 * @param ordering - the ordering mode
 * @param record - the record's topic, partition, offset and device id
 * @returns the key
 * @example
 * ```ts
 * orderingKey('device', { topic: 'hono.event.t', partition: 0, offset: 7, deviceId: 'd1' });
 * ```
 */
export function orderingKey(ordering: Ordering, record: OrderingRecord): string {
  // Kafka topic names hold no control characters, so `\0` and `\u0001` separate unambiguously.
  const partitionKey = `${record.topic}\u0000${record.partition}`;
  switch (ordering) {
    case Ordering.device:
      return record.deviceId === undefined || record.deviceId === ''
        ? partitionKey
        : `${partitionKey}\u0000${record.deviceId}`;
    case Ordering.partition:
      return partitionKey;
    case Ordering.none:
      return `${partitionKey}\u0001${record.offset}`;
  }
}
