/** Property tests: decoding an encoded event gives it back, for arbitrary valid events of every kind. */
import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { decodeEvent } from '../../../src/wire/decode.js';
import { encodeEvent, type HonoEventInit } from '../../../src/wire/encode.js';
import type { EncodedRecord, HonoEvent } from '../../../src/wire/types.js';
import { eventInitArbitrary } from './arbitraries.js';

const consumed = (record: EncodedRecord, offset = 7): HonoEvent =>
  decodeEvent({ ...record, partition: 1, offset });

/** The event that decoding must give for an init: the init with the encoders' defaults applied. */
function expectedEvent(init: HonoEventInit, record: EncodedRecord): Record<string, unknown> {
  const common = {
    type: init.type,
    endpoint: init.endpoint ?? 'event',
    tenantId: init.tenantId,
    deviceId: init.deviceId,
    creationTime: new Date(
      init.creationTime instanceof Date ? init.creationTime.getTime() : (init.creationTime ?? 0),
    ),
    qos: init.qos ?? 1,
    ttd: init.ttd,
    ttl: init.ttl,
    origAdapter: init.origAdapter,
    origAddress: init.origAddress,
    retain: init.retain ?? false,
    traceparent: init.traceparent,
    tracestate: init.tracestate,
    baggage: init.baggage,
    headers: record.headers,
    topic: `hono.${init.endpoint ?? 'event'}.${init.tenantId}`,
    partition: 1,
    offset: 7,
    timestamp: init.timestamp,
    key: Buffer.from(init.deviceId, 'utf8'),
  };
  switch (init.type) {
    case 'emptyNotification':
      return common;
    case 'connection':
      return {
        ...common,
        cause: init.cause,
        remoteId: init.remoteId,
        source: init.source,
        // JSON has no -0 and no undefined: compare with what JSON can carry.
        data: init.data === undefined ? undefined : (JSON.parse(JSON.stringify(init.data)) as unknown),
      };
    case 'provisioning':
      return { ...common, registrationStatus: init.registrationStatus ?? 'NEW', gatewayId: init.gatewayId };
    case 'event':
      return {
        ...common,
        payload:
          init.payload === undefined
            ? Buffer.alloc(0)
            : typeof init.payload === 'string'
              ? Buffer.from(init.payload, 'utf8')
              : Buffer.from(init.payload),
        contentType: init.contentType ?? 'application/octet-stream',
        contentEncoding: init.contentEncoding,
      };
  }
}

describe('round trip', () => {
  test.prop([eventInitArbitrary], { numRuns: 500 })(
    'decodeEvent(encodeEvent(event)) gives the event back',
    (init) => {
      const record = encodeEvent(init);
      expect(consumed(record)).toStrictEqual(expectedEvent(init, record));
    },
  );

  test.prop([eventInitArbitrary], { numRuns: 500 })(
    'encodeEvent(decodeEvent(record)) writes the same bytes again',
    (init) => {
      const record = encodeEvent(init);
      expect(encodeEvent(consumed(record))).toStrictEqual(record);
    },
  );

  test.prop([
    eventInitArbitrary,
    fc.dictionary(
      fc.string({ minLength: 1 }).map((name) => `x-${name}`),
      fc.oneof(fc.string(), fc.integer(), fc.boolean()),
    ),
  ])("extra headers travel in the raw headers, after Hono's own", (init, extraHeaders) => {
    const record = encodeEvent({ ...init, extraHeaders });
    const event = consumed(record);
    const names = event.headers.flatMap((header) => Object.keys(header));
    expect(names.slice(names.length - Object.keys(extraHeaders).length)).toEqual(Object.keys(extraHeaders));
    expect(event).toMatchObject({ type: init.type, deviceId: init.deviceId });
  });
});
