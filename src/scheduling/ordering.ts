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
  return recordKey(ordering, partitionKey(record.topic, record.partition), record.offset, record.deviceId);
}

/**
 * The scheduling key of a whole partition: {@link orderingKey} in `partition` mode, and the start of
 * every key of the partition's records in the other modes.
 *
 * @param topic - the partition's topic
 * @param partition - the partition
 * @returns the key
 */
export function partitionKey(topic: string, partition: number): string {
  // Kafka topic names hold no control characters, so `\0` and `\u0001` separate unambiguously.
  return `${topic}\u0000${String(partition)}`;
}

/**
 * {@link orderingKey} from the partition's key (made once per partition), without an object per record.
 *
 * @param ordering - the ordering mode
 * @param partitionKeyOfRecord - the {@link partitionKey} of the record's partition
 * @param offset - the record's offset
 * @param deviceId - the device the record is from, when known
 * @returns the key
 */
export function recordKey(
  ordering: Ordering,
  partitionKeyOfRecord: string,
  offset: number,
  deviceId: string | undefined,
): string {
  switch (ordering) {
    case Ordering.device:
      return deviceId === undefined || deviceId === ''
        ? partitionKeyOfRecord
        : `${partitionKeyOfRecord}\u0000${deviceId}`;
    case Ordering.partition:
      return partitionKeyOfRecord;
    case Ordering.none:
      return `${partitionKeyOfRecord}\u0001${String(offset)}`;
  }
}
