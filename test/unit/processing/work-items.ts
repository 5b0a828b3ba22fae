/**
 * Work items for record-processing tests: records encoded by the SDK's own encoders and decoded by
 * `decodeEvent`, as the consumer hands them to `processRecord`.
 */
import { PartitionLease } from '../../../src/engine/partition-table.js';
import { DecodeError } from '../../../src/errors.js';
import type { WorkItem } from '../../../src/processing/work-item.js';
import type { KafkaRecord } from '../../../src/types.js';
import { decodeEvent } from '../../../src/wire/decode.js';
import { encodeEmptyNotification, encodeEvent, type HonoEventInit } from '../../../src/wire/encode.js';
import { PartitionOffsets } from '../../../src/offsets/partition-offsets.js';

/** A tracker of the record's partition that tracks it. */
function trackerOf(record: KafkaRecord): PartitionOffsets {
  const offsets = new PartitionOffsets(record.topic, record.partition);
  offsets.track(record.offset);
  return offsets;
}

/** The topic of every item. */
export const TOPIC = 'hono.event.DEFAULT_TENANT';
/** The creation time of every item's event. */
export const CREATED = Date.UTC(2024, 5, 1, 12, 0, 0);
/** Who sent every item's event. */
export const device = { tenantId: 'DEFAULT_TENANT', deviceId: '4711', creationTime: CREATED } as const;

/** A record at offset 7 of partition 0, as the client delivers it, decoded. */
export function itemOf(init: HonoEventInit, lease = new PartitionLease(TOPIC, 0)): WorkItem {
  const record: KafkaRecord = { ...encodeEvent(init), partition: 0, offset: 7 };
  return { record, decoded: decodeEvent(record), lease, offsets: trackerOf(record) };
}

/** An empty notification with a value at offset 7: it does not decode. */
export function invalidItem(lease = new PartitionLease(TOPIC, 0)): WorkItem {
  const record: KafkaRecord = {
    ...encodeEmptyNotification(device),
    value: Buffer.from('unexpected'),
    partition: 0,
    offset: 7,
  };
  try {
    decodeEvent(record);
  } catch (error) {
    if (error instanceof DecodeError) return { record, decoded: error, lease, offsets: trackerOf(record) };
    throw error;
  }
  throw new Error('the record decoded');
}
