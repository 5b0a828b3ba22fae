/**
 * Record values as the Kafka client must receive them to put an empty, non-null value on the wire.
 *
 * `@confluentinc/kafka-javascript` (1.10) hands librdkafka the Buffer's data pointer, and a zero-length
 * Buffer without backing memory (`Buffer.alloc(0)`, `Buffer.from('')`) has none: librdkafka then writes a
 * NULL value, and Hono's Java reader sees `null` where Hono itself writes an empty byte array. A
 * zero-length view into a one-byte allocation has a pointer, and is written as an empty value.
 */

/**
 * The value to hand to the client's `produce()`: the same bytes, with an empty value made non-null.
 *
 * @param value - the record's value; `null` stays `null` (a Kafka null value, as Hono writes for
 *   notifications)
 * @returns `value` itself, or for a zero-length value a zero-length Buffer that librdkafka writes as empty
 */
export function wireValue(value: Buffer): Buffer;
export function wireValue(value: Buffer | null): Buffer | null;
export function wireValue(value: Buffer | null): Buffer | null {
  return value !== null && value.length === 0 ? Buffer.alloc(1).subarray(0, 0) : value;
}
