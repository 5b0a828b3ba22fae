/** Fuzzing: whatever the bytes, decodeEvent returns an event or throws a DecodeError, nothing else. */
import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { DecodeError } from '../../../src/errors.js';
import { decodeEvent } from '../../../src/wire/decode.js';
import { encodeEvent } from '../../../src/wire/encode.js';
import type { HonoEvent } from '../../../src/wire/types.js';
import type { KafkaRecord } from '../../../src/types.js';
import { byteRecordArbitrary, eventInitArbitrary } from './arbitraries.js';

/** Decodes, and checks that the outcome is a well-formed event or a DecodeError carrying the record. */
function decodeOrDecodeError(record: KafkaRecord): HonoEvent | DecodeError {
  let event: HonoEvent;
  try {
    event = decodeEvent(record);
  } catch (error) {
    expect(error).toBeInstanceOf(DecodeError);
    expect((error as DecodeError).record).toBe(record);
    return error as DecodeError;
  }
  expect(['emptyNotification', 'connection', 'provisioning', 'event']).toContain(event.type);
  expect(event.deviceId.length).toBeGreaterThan(0);
  expect(Number.isNaN(event.creationTime.getTime())).toBe(false);
  expect([0, 1]).toContain(event.qos);
  if (event.ttd !== undefined) expect(Number.isSafeInteger(event.ttd) && event.ttd >= -1).toBe(true);
  if (event.ttl !== undefined) expect(Number.isSafeInteger(event.ttl) && event.ttl >= 0).toBe(true);
  expect(event.tenantId).toMatch(/^[a-zA-Z0-9._-]+$/);
  return event;
}

/** Flips bytes of the value or of one header value of a record. */
const mutation = fc.record({
  target: fc.nat(),
  position: fc.nat(),
  byte: fc.integer({ min: 0, max: 255 }),
  truncate: fc.boolean(),
});

describe('fuzz', () => {
  test.prop([byteRecordArbitrary], { numRuns: 3000 })('records with arbitrary bytes', (record) => {
    decodeOrDecodeError(record);
  });

  test.prop([fc.anything({ withBoxedValues: true, withMap: true, withSet: true, withTypedArray: true })], {
    numRuns: 1000,
  })('values of any shape', (value) => {
    decodeOrDecodeError(value as KafkaRecord);
  });

  test.prop(
    [
      fc.record({
        topic: fc.constant('hono.event.t'),
        partition: fc.anything(),
        offset: fc.anything(),
        key: fc.anything(),
        value: fc.anything(),
        headers: fc.oneof(fc.anything(), fc.array(fc.anything())),
        timestamp: fc.anything(),
      }),
    ],
    { numRuns: 1000 },
  )('records whose fields have any shape', (record) => {
    decodeOrDecodeError(record as unknown as KafkaRecord);
  });

  test.prop([eventInitArbitrary, fc.array(mutation, { minLength: 1, maxLength: 4 })], { numRuns: 2000 })(
    'valid records with bytes flipped or cut',
    (init, mutations) => {
      const encoded = encodeEvent(init);
      const headers: Record<string, Buffer>[] = encoded.headers.map((header) =>
        Object.fromEntries(Object.entries(header).map(([name, value]) => [name, Buffer.from(value)])),
      );
      let value: Buffer | null = encoded.value === null ? null : Buffer.from(encoded.value);
      for (const { target, position, byte, truncate } of mutations) {
        const index = target % (headers.length + 1);
        const header = headers[index];
        const [name, bytes] =
          header === undefined ? ['', value] : (Object.entries(header)[0] as [string, Buffer]);
        if (bytes === null || bytes.length === 0) continue;
        const changed = truncate ? bytes.subarray(0, position % bytes.length) : Buffer.from(bytes);
        if (!truncate) changed[position % bytes.length] = byte;
        if (header === undefined) value = changed;
        else headers[index] = { [name]: changed };
      }
      decodeOrDecodeError({ ...encoded, value, headers, partition: 0, offset: 0 });
    },
  );
});
