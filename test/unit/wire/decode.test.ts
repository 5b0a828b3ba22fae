import { describe, expect, it } from 'vitest';
import { DecodeError, DecodeErrorCode, isDecodeError } from '../../../src/errors.js';
import { decodeEvent } from '../../../src/wire/decode.js';
import type { KafkaRecord } from '../../../src/types.js';
import { CONNECTION, CREATION_TIME, EMPTY, PROVISIONING, rawRecord, standardHeaders } from './records.js';

function decodeFailure(record: KafkaRecord): DecodeError {
  try {
    decodeEvent(record);
  } catch (error) {
    if (isDecodeError(error)) return error;
    throw error;
  }
  throw new Error('decoded without error');
}

const connected = Buffer.from('{"cause":"connected","remote-id":"c1","source":"hono-mqtt"}');

describe('decodeEvent: the kinds', () => {
  it('decodes an empty notification with every common field', () => {
    const record = rawRecord([
      ...standardHeaders(EMPTY),
      ['ttd', '60'],
      ['ttl', '30000'],
      ['orig_adapter', 'hono-mqtt'],
      ['orig_address', '/event'],
      ['x-opt-retain', 'false'],
      ['traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'],
      ['tracestate', 'a=b'],
      ['baggage', 'k=v'],
    ]);
    expect(decodeEvent(record)).toStrictEqual({
      type: 'emptyNotification',
      endpoint: 'event',
      tenantId: 'DEFAULT_TENANT',
      deviceId: '4711',
      creationTime: new Date(CREATION_TIME),
      qos: 1,
      ttd: 60,
      ttl: 30000,
      origAdapter: 'hono-mqtt',
      origAddress: '/event',
      retain: false,
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      tracestate: 'a=b',
      baggage: 'k=v',
      headers: record.headers,
      topic: 'hono.event.DEFAULT_TENANT',
      partition: 3,
      offset: 42,
      timestamp: CREATION_TIME + 4,
      key: Buffer.from('4711'),
    });
  });

  it('decodes a connection event', () => {
    const value = Buffer.from(
      '{"cause":"disconnected","remote-id":"1.2.3.4:5","source":"hono-coap","data":{"n":[1]}}',
    );
    const event = decodeEvent(rawRecord(standardHeaders(CONNECTION), { value }));
    expect(event).toMatchObject({
      type: 'connection',
      cause: 'disconnected',
      remoteId: '1.2.3.4:5',
      source: 'hono-coap',
      data: { n: [1] },
    });
  });

  it('ignores unknown fields of a connection event and keeps every key of data', () => {
    const value = Buffer.from(
      '{"cause":"connected","remote-id":"x","source":"s","new":1,"data":{"__proto__":{"a":1},"b":2}}',
    );
    const event = decodeEvent(rawRecord(standardHeaders(CONNECTION), { value }));
    if (event.type !== 'connection') throw new Error(event.type);
    expect(event).not.toHaveProperty('new');
    expect(Object.keys(event.data ?? {})).toEqual(['__proto__', 'b']);
  });

  it('decodes a provisioning notification', () => {
    const event = decodeEvent(
      rawRecord([
        ...standardHeaders(PROVISIONING),
        ['hono_registration_status', 'NEW'],
        ['gateway_id', 'gw'],
      ]),
    );
    expect(event).toMatchObject({ type: 'provisioning', registrationStatus: 'NEW', gatewayId: 'gw' });
  });

  it('decodes any other content type as an event with its payload', () => {
    const value = Buffer.from('{"temp":5}');
    const event = decodeEvent(
      rawRecord([...standardHeaders('application/json'), ['content-encoding', 'identity'], ['ttd', '20']], {
        value,
      }),
    );
    expect(event).toMatchObject({
      type: 'event',
      contentType: 'application/json',
      contentEncoding: 'identity',
      ttd: 20,
    });
    if (event.type !== 'event') throw new Error(event.type);
    expect(event.payload).toBe(value);
  });

  it('matches well-known content types exactly, as Hono does', () => {
    const event = decodeEvent(rawRecord(standardHeaders(`${EMPTY}; charset=utf-8`)));
    expect(event).toMatchObject({ type: 'event', contentType: `${EMPTY}; charset=utf-8` });
    expect(decodeEvent(rawRecord(standardHeaders(EMPTY.toUpperCase()))).type).toBe('event');
  });

  it('reads the telemetry topic', () => {
    const event = decodeEvent(rawRecord(standardHeaders(EMPTY), { topic: 'hono.telemetry.t-1' }));
    expect(event).toMatchObject({ endpoint: 'telemetry', tenantId: 't-1' });
  });

  it('decodes an empty notification on telemetry (an HTTP device’s ttd), but no connection event or provisioning notification', () => {
    const telemetry = { topic: 'hono.telemetry.t-1' };
    expect(decodeEvent(rawRecord(standardHeaders(EMPTY), telemetry)).type).toBe('emptyNotification');
    // Hono writes these to the event topic only: on telemetry they are a device's data.
    expect(
      decodeEvent(rawRecord(standardHeaders(CONNECTION), { ...telemetry, value: connected })),
    ).toMatchObject({
      type: 'event',
      endpoint: 'telemetry',
      contentType: CONNECTION,
      payload: connected,
    });
    expect(decodeEvent(rawRecord(standardHeaders(PROVISIONING), telemetry))).toMatchObject({
      type: 'event',
      contentType: PROVISIONING,
      payload: Buffer.alloc(0),
    });
  });
});

describe('decodeEvent: the record is read, never changed or copied', () => {
  it('shares the header array and the value', () => {
    const record = rawRecord(standardHeaders('text/plain'), { value: Buffer.from('hi') });
    const copy = (value: Buffer | string): Buffer => Buffer.from(value);
    const snapshot = {
      ...record,
      key: copy(record.key as Buffer),
      value: copy(record.value as Buffer),
      headers: record.headers?.map((header) =>
        Object.fromEntries(Object.entries(header).map(([k, v]) => [k, copy(v)])),
      ),
    };
    const event = decodeEvent(record);
    expect(event.headers).toBe(record.headers);
    if (event.type !== 'event') throw new Error(event.type);
    expect(event.payload).toBe(record.value);
    expect(record).toEqual(snapshot);
  });

  it('gives an empty header list and a null key when the record has none', () => {
    const record: KafkaRecord = { topic: 'hono.event.t', partition: 0, offset: 0, value: null, key: null };
    const failure = decodeFailure(record);
    expect(failure.code).toBe(DecodeErrorCode.MissingDeviceId);
    const event = decodeEvent({ ...record, key: Buffer.from('d'), timestamp: 5 });
    expect(event).toMatchObject({ headers: [], deviceId: 'd', creationTime: new Date(5), type: 'event' });
  });

  it('accepts string keys and header values, as the client type allows', () => {
    const record: KafkaRecord = {
      topic: 'hono.event.t',
      partition: 0,
      offset: 0,
      key: 'dev',
      value: null,
      headers: [{ 'content-type': EMPTY }, { ttd: '-1' }, { 'creation-time': '5' }],
    };
    expect(decodeEvent(record)).toMatchObject({
      type: 'emptyNotification',
      deviceId: 'dev',
      ttd: -1,
      key: Buffer.from('dev'),
    });
  });
});

describe('decodeEvent: strict or lenient', () => {
  it.each([
    [
      'no creation-time: the record timestamp stands in',
      [
        ['content-type', EMPTY],
        ['device_id', '4711'],
      ],
      {},
      { creationTime: new Date(CREATION_TIME + 4) },
    ],
    [
      'no key: the device_id header names the device',
      standardHeaders(EMPTY, 'hdr'),
      { key: null },
      { deviceId: 'hdr', key: null },
    ],
    [
      'an empty key counts as none',
      standardHeaders(EMPTY, 'hdr'),
      { key: Buffer.alloc(0) },
      { deviceId: 'hdr' },
    ],
    [
      'no device_id header: the key names the device',
      [
        ['content-type', EMPTY],
        ['creation-time', '1'],
      ],
      {},
      { deviceId: '4711' },
    ],
    [
      'an empty device_id header counts as none',
      [
        ['content-type', EMPTY],
        ['device_id', ''],
        ['creation-time', '1'],
      ],
      {},
      { deviceId: '4711' },
    ],
    [
      'no qos: at least once',
      [
        ['content-type', EMPTY],
        ['creation-time', '1'],
      ],
      {},
      { qos: 1 },
    ],
    [
      'qos 2: at least once, as Hono reads it',
      [
        ['content-type', EMPTY],
        ['qos', '2'],
        ['creation-time', '1'],
      ],
      {},
      { qos: 1 },
    ],
    [
      'qos 0: at most once',
      [
        ['content-type', EMPTY],
        ['qos', '0'],
        ['creation-time', '1'],
      ],
      {},
      { qos: 0 },
    ],
    [
      'qos -7: at least once',
      [
        ['content-type', EMPTY],
        ['qos', '-7'],
        ['creation-time', '1'],
      ],
      {},
      { qos: 1 },
    ],
    [
      'a null value and no content-type: an octet-stream event',
      [['creation-time', '1']],
      {},
      { type: 'event', contentType: 'application/octet-stream', payload: Buffer.alloc(0) },
    ],
    [
      'a payload and no content-type: an octet-stream event',
      [['creation-time', '1']],
      { value: Buffer.from('x') },
      { type: 'event', contentType: 'application/octet-stream' },
    ],
    [
      'an empty notification with a zero-length value',
      standardHeaders(EMPTY),
      { value: Buffer.alloc(0) },
      { type: 'emptyNotification' },
    ],
    [
      'a connection event with a ttd',
      [...standardHeaders(CONNECTION), ['ttd', '-1']],
      { value: connected },
      { type: 'connection', ttd: -1 },
    ],
    [
      'a provisioning notification with an empty value',
      [...standardHeaders(PROVISIONING), ['hono_registration_status', 'NEW']],
      { value: Buffer.alloc(0) },
      { type: 'provisioning' },
    ],
    [
      'an unknown registration status is kept',
      [...standardHeaders(PROVISIONING), ['hono_registration_status', 'DELETED']],
      {},
      { registrationStatus: 'DELETED' },
    ],
    [
      'a creation-time before 1970',
      [
        ['content-type', EMPTY],
        ['creation-time', '-1000'],
      ],
      {},
      { creationTime: new Date(-1000) },
    ],
    [
      'an unparsable traceparent is kept raw',
      [...standardHeaders(EMPTY), ['traceparent', 'garbage']],
      {},
      { traceparent: 'garbage' },
    ],
    ['ttd of Java int max', [...standardHeaders(EMPTY), ['ttd', '2147483647']], {}, { ttd: 2147483647 }],
    ['x-opt-retain false', [...standardHeaders(EMPTY), ['x-opt-retain', 'false']], {}, { retain: false }],
  ] as const)('%s', (_name, headers, overrides, expected) => {
    expect(
      decodeEvent(rawRecord(headers as [string, string][], overrides as Partial<KafkaRecord>)),
    ).toMatchObject(expected);
  });
});

/** One row per decode error code (several for some): the record, and the header or field named. */
interface Failure {
  readonly code: DecodeErrorCode;
  readonly name: string;
  readonly record: KafkaRecord;
  readonly header?: string;
  readonly field?: string;
}

const failures: readonly Failure[] = [
  { code: DecodeErrorCode.MalformedRecord, name: 'not an object', record: null as unknown as KafkaRecord },
  {
    code: DecodeErrorCode.MalformedRecord,
    name: 'topic missing',
    record: { partition: 0, offset: 0, value: null } as unknown as KafkaRecord,
  },
  {
    code: DecodeErrorCode.MalformedRecord,
    name: 'value a string',
    record: { ...rawRecord([]), value: 'x' } as unknown as KafkaRecord,
  },
  {
    code: DecodeErrorCode.MalformedRecord,
    name: 'offset a string',
    record: { ...rawRecord([]), offset: '1' } as unknown as KafkaRecord,
  },
  {
    code: DecodeErrorCode.MalformedRecord,
    name: 'partition missing',
    record: { ...rawRecord([]), partition: undefined } as unknown as KafkaRecord,
  },
  {
    code: DecodeErrorCode.MalformedRecord,
    name: 'key a number',
    record: { ...rawRecord([]), key: 1 } as unknown as KafkaRecord,
  },
  {
    code: DecodeErrorCode.MalformedRecord,
    name: 'timestamp a string',
    record: { ...rawRecord([]), timestamp: 'now' } as unknown as KafkaRecord,
  },
  {
    code: DecodeErrorCode.MalformedRecord,
    name: 'header value a number',
    record: { ...rawRecord([]), headers: [{ ttd: 1 }] } as unknown as KafkaRecord,
  },
  {
    code: DecodeErrorCode.NotHonoTopic,
    name: 'command topic',
    record: rawRecord(standardHeaders(EMPTY), { topic: 'hono.command.t' }),
  },
  {
    code: DecodeErrorCode.NotHonoTopic,
    name: 'empty tenant',
    record: rawRecord(standardHeaders(EMPTY), { topic: 'hono.telemetry.' }),
  },
  {
    code: DecodeErrorCode.NotHonoTopic,
    name: 'illegal tenant',
    record: rawRecord(standardHeaders(EMPTY), { topic: 'hono.event.a/b' }),
  },
  {
    code: DecodeErrorCode.MissingDeviceId,
    name: 'no key, no header',
    record: rawRecord(
      [
        ['content-type', EMPTY],
        ['creation-time', '1'],
      ],
      { key: null },
    ),
    header: 'device_id',
  },
  {
    code: DecodeErrorCode.DeviceIdMismatch,
    name: 'key and header',
    record: rawRecord(standardHeaders(EMPTY, 'other')),
    header: 'device_id',
  },
  {
    code: DecodeErrorCode.DeviceIdMismatch,
    name: 'string key',
    record: rawRecord(standardHeaders(EMPTY, 'other'), { key: '4711' }),
    header: 'device_id',
  },
  {
    code: DecodeErrorCode.TenantMismatch,
    name: 'tenant_id',
    record: rawRecord([...standardHeaders(EMPTY), ['tenant_id', 'x']]),
    header: 'tenant_id',
  },
  {
    code: DecodeErrorCode.MissingHeader,
    name: 'no creation time',
    record: rawRecord([['content-type', EMPTY]], { timestamp: undefined }),
    header: 'creation-time',
  },
  {
    code: DecodeErrorCode.MissingHeader,
    name: 'no creation time, timestamp -1',
    record: rawRecord([['content-type', EMPTY]], { timestamp: -1 }),
    header: 'creation-time',
  },
  {
    code: DecodeErrorCode.MissingHeader,
    name: 'registration status',
    record: rawRecord(standardHeaders(PROVISIONING)),
    header: 'hono_registration_status',
  },
  {
    code: DecodeErrorCode.MissingHeader,
    name: 'empty registration status',
    record: rawRecord([...standardHeaders(PROVISIONING), ['hono_registration_status', '']]),
    header: 'hono_registration_status',
  },
  {
    code: DecodeErrorCode.BadHeader,
    name: 'ttd',
    record: rawRecord([...standardHeaders(EMPTY), ['ttd', 'x']]),
    header: 'ttd',
  },
  {
    code: DecodeErrorCode.BadHeader,
    name: 'ttd above Java int',
    record: rawRecord([...standardHeaders(EMPTY), ['ttd', '2147483648']]),
    header: 'ttd',
  },
  {
    code: DecodeErrorCode.BadHeader,
    name: 'ttl',
    record: rawRecord([...standardHeaders(EMPTY), ['ttl', '1.5']]),
    header: 'ttl',
  },
  {
    code: DecodeErrorCode.BadHeader,
    name: 'qos',
    record: rawRecord([
      ['content-type', EMPTY],
      ['qos', ''],
      ['creation-time', '1'],
    ]),
    header: 'qos',
  },
  {
    code: DecodeErrorCode.BadHeader,
    name: 'creation-time',
    record: rawRecord([
      ['content-type', EMPTY],
      ['creation-time', 'now'],
    ]),
    header: 'creation-time',
  },
  {
    code: DecodeErrorCode.BadHeader,
    name: 'creation-time beyond Date',
    record: rawRecord([
      ['content-type', EMPTY],
      ['creation-time', '8640000000000001'],
    ]),
    header: 'creation-time',
  },
  {
    code: DecodeErrorCode.BadHeader,
    name: 'x-opt-retain',
    record: rawRecord([...standardHeaders(EMPTY), ['x-opt-retain', '1']]),
    header: 'x-opt-retain',
  },
  {
    code: DecodeErrorCode.BadConnectionPayload,
    name: 'null value',
    record: rawRecord(standardHeaders(CONNECTION)),
    field: '',
  },
  {
    code: DecodeErrorCode.BadConnectionPayload,
    name: 'bad JSON',
    record: rawRecord(standardHeaders(CONNECTION), { value: Buffer.from('{') }),
    field: '',
  },
  {
    code: DecodeErrorCode.BadConnectionPayload,
    name: 'a JSON string',
    record: rawRecord(standardHeaders(CONNECTION), { value: Buffer.from('"connected"') }),
    field: '',
  },
  {
    code: DecodeErrorCode.BadConnectionPayload,
    name: 'no cause',
    record: rawRecord(standardHeaders(CONNECTION), { value: Buffer.from('{"remote-id":"a","source":"b"}') }),
    field: 'cause',
  },
  {
    code: DecodeErrorCode.BadConnectionPayload,
    name: 'remote-id a number',
    record: rawRecord(standardHeaders(CONNECTION), {
      value: Buffer.from('{"cause":"connected","remote-id":1,"source":"b"}'),
    }),
    field: 'remote-id',
  },
  {
    code: DecodeErrorCode.BadConnectionPayload,
    name: 'data null',
    record: rawRecord(standardHeaders(CONNECTION), {
      value: Buffer.from('{"cause":"connected","remote-id":"a","source":"b","data":null}'),
    }),
    field: 'data',
  },
  {
    code: DecodeErrorCode.UnexpectedPayload,
    name: 'empty notification',
    record: rawRecord(standardHeaders(EMPTY), { value: Buffer.from([0]) }),
  },
  {
    code: DecodeErrorCode.UnexpectedPayload,
    name: 'provisioning',
    record: rawRecord([...standardHeaders(PROVISIONING), ['hono_registration_status', 'NEW']], {
      value: Buffer.from('x'),
    }),
  },
];

describe('decodeEvent: every error code', () => {
  it('covers every DecodeErrorCode of events', () => {
    // The command-response codes come from decodeCommandResponse (test/unit/wire/commands.test.ts).
    const responseCodes: string[] = [
      DecodeErrorCode.MissingCorrelationId,
      DecodeErrorCode.MissingStatus,
      DecodeErrorCode.BadStatus,
      DecodeErrorCode.BadDeliveryFailure,
    ];
    expect(new Set(failures.map(({ code }) => code))).toEqual(
      new Set(Object.values(DecodeErrorCode).filter((code) => !responseCodes.includes(code))),
    );
  });

  it.each(failures)('$code ($name)', ({ code, record, header, field }) => {
    const failure = decodeFailure(record);
    expect(failure).toBeInstanceOf(DecodeError);
    expect(failure.code).toBe(code);
    expect(failure.retriable).toBe(false);
    expect(failure.record).toBe(record);
    expect(failure.header).toBe(header);
    expect(failure.field).toBe(field);
    expect(failure.message).toMatch(/^(Malformed record|Cannot decode record hono\.)/);
  });

  it('names the record, the header and the bad value in the message', () => {
    const failure = decodeFailure(rawRecord([...standardHeaders(EMPTY), ['ttd', 'soon']]));
    expect(failure.message).toBe(
      'Cannot decode record hono.event.DEFAULT_TENANT[3]@42: header "ttd" must be a JSON integer of seconds, -1 or more, got "soon"',
    );
  });

  it('names every bad field of a connection event and keeps the zod error as cause', () => {
    const failure = decodeFailure(
      rawRecord(standardHeaders(CONNECTION), { value: Buffer.from('{"cause":"x","source":2}') }),
    );
    expect(failure.field).toBe('cause');
    expect(failure.message).toContain('cause: Invalid option');
    expect(failure.message).toContain('remote-id: Invalid input: expected string, received undefined');
    expect(failure.message).toContain('source: Invalid input: expected string, received number');
    expect(failure.cause).toBeInstanceOf(Error);
  });

  it('keeps the JSON syntax error as cause', () => {
    const failure = decodeFailure(rawRecord(standardHeaders(CONNECTION), { value: Buffer.from('{') }));
    expect(failure.cause).toBeInstanceOf(SyntaxError);
  });

  it('shortens long values in messages', () => {
    const failure = decodeFailure(rawRecord([...standardHeaders(EMPTY), ['ttd', 'x'.repeat(500)]]));
    expect(failure.message.length).toBeLessThan(200);
  });
});
