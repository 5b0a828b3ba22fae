/**
 * A fetched record on its way through the SDK: what the scheduler queues, `handleRecord` handles
 * and the pause report describes. On its own so that both can use it without importing each other.
 */
import type { PartitionLease } from '../engine/partition-table.js';
import type { DecodedRecord } from '../engine/record-route.js';
import type { DecodeError } from '../errors.js';
import type { PartitionOffsets } from '../offsets/partition-offsets.js';
import type { KafkaRecord } from '../types.js';

/** A fetched record on its way through the SDK. */
export interface WorkItem {
  /** The record as the client delivered it. */
  readonly record: KafkaRecord;
  /** The decoded record (a Hono event, a command response), or why it did not decode. */
  readonly decoded: DecodedRecord | DecodeError;
  /** The ownership period of its partition in which it was fetched. */
  readonly lease: PartitionLease;
  /**
   * The offsets tracker that tracked it: its partition's, or an earlier generation's when the client
   * went back to lower offsets since (see `OffsetLedger.track`). Its completion counts there.
   */
  readonly offsets: PartitionOffsets;
  /**
   * Handled at most once (`qos0: 'atMostOnce'`): its offset was completed when it was fetched, and its
   * handler is called once.
   */
  readonly atMostOnce: boolean;
}
