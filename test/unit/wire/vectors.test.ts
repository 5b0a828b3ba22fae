/**
 * Table test over test/fixtures/hono-wire-vectors.json: byte-exact records from the spec and the facts
 * page, each with its expected event or error code; records that Hono itself writes must come out of
 * the encoder byte for byte.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../src/errors.js';
import { decodeEvent } from '../../../src/wire/decode.js';
import { encodeEvent } from '../../../src/wire/encode.js';
import type { KafkaRecord, KafkaRecordHeader } from '../../../src/types.js';

interface Bytes {
  readonly encoding: 'utf8' | 'hex';
  readonly data: string;
}
interface Vector {
  readonly name: string;
  readonly source: string;
  readonly honoWrites?: boolean;
  readonly record: {
    readonly topic: string;
    readonly partition: number;
    readonly offset: number;
    readonly timestamp?: number;
    readonly key: Bytes | null;
    readonly value: Bytes | null;
    readonly headers: readonly (Bytes & { readonly name: string })[];
  };
  readonly expect?: Record<string, unknown>;
  readonly expectError?: { readonly code: string; readonly header?: string; readonly field?: string };
}

const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/hono-wire-vectors.json', import.meta.url), 'utf8'),
) as { vectors: Vector[] };

const bytes = (value: Bytes): Buffer => Buffer.from(value.data, value.encoding);

function toRecord(vector: Vector): KafkaRecord {
  const { record } = vector;
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    key: record.key === null ? null : bytes(record.key),
    value: record.value === null ? null : bytes(record.value),
    headers: record.headers.map((header) => ({ [header.name]: bytes(header) })),
    ...(record.timestamp === undefined ? {} : { timestamp: record.timestamp }),
  };
}

function expectedEvent(expected: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(expected)) {
    if (value === null) result[name] = undefined;
    else if (name === 'creationTime') result[name] = new Date(value as number);
    else if (name === 'payload') result[name] = bytes(value as Bytes);
    else result[name] = value;
  }
  return result;
}

/** Headers as a sorted list of `name=hex`, to compare sets of headers regardless of order. */
function headerSet(headers: readonly KafkaRecordHeader[]): string[] {
  return headers
    .flatMap((header) =>
      Object.entries(header).map(([name, value]) => `${name}=${Buffer.from(value).toString('hex')}`),
    )
    .sort();
}

describe('Hono wire vectors', () => {
  it('has vectors for events and for errors', () => {
    expect(fixture.vectors.filter((vector) => vector.expect !== undefined).length).toBeGreaterThan(10);
    expect(fixture.vectors.filter((vector) => vector.expectError !== undefined).length).toBeGreaterThan(10);
  });

  describe.each(fixture.vectors.map((vector) => [vector.name, vector] as const))('%s', (_name, vector) => {
    if (vector.expect !== undefined) {
      const expected = expectedEvent(vector.expect);
      it('decodes to the expected event', () => {
        const record = toRecord(vector);
        const event = decodeEvent(record);
        expect(event).toMatchObject(expected);
        expect(event.headers).toBe(record.headers);
        expect(event).toMatchObject({
          topic: record.topic,
          partition: record.partition,
          offset: record.offset,
        });
      });
      if (vector.honoWrites === true) {
        it('is what the encoder writes, byte for byte', () => {
          const record = toRecord(vector);
          const encoded = encodeEvent(decodeEvent(record));
          expect(encoded.topic).toBe(record.topic);
          expect(encoded.key.equals(record.key as Buffer)).toBe(true);
          if (record.value === null) expect(encoded.value).toBeNull();
          else expect(encoded.value?.equals(record.value)).toBe(true);
          expect(headerSet(encoded.headers)).toEqual(headerSet(record.headers ?? []));
        });
      }
    } else {
      const expected = vector.expectError;
      it(`fails with ${String(expected?.code)}`, () => {
        const record = toRecord(vector);
        let caught: unknown;
        try {
          decodeEvent(record);
        } catch (error) {
          caught = error;
        }
        expect(caught).toBeInstanceOf(DecodeError);
        expect(caught).toMatchObject({ ...expected, record });
      });
    }
  });
});
