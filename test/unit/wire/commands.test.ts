/**
 * The Command & Control wire format: commands and responses byte for byte as Hono writes them, the
 * Command Router's view of a command record, and the command client's view of a response record.
 *
 * The expected header orders are the iteration orders of the `java.util.HashMap` in which Hono's
 * `KafkaBasedCommandSender` and `KafkaBasedCommandResponseSender` collect their headers (printed by a
 * Java 17 and a Java 25 run of the same puts), followed by `creation-time`.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  DecodeError,
  DecodeErrorCode,
  EncodeError,
  ErrorCode,
  InvalidCommandError,
  TenantError,
} from '../../../src/errors.js';
import { commandResponseTopic, commandTopic } from '../../../src/tenant.js';
import type { KafkaRecord } from '../../../src/types.js';
import {
  decodeCommand,
  decodeCommandResponse,
  deliveryFailureContentType,
  encodeCommandResponse,
  encodeDeliveryFailure,
  encodeOneWayCommand,
  encodeRequestCommand,
  isCommandExpired,
  type CommandResponse,
  type DecodedCommand,
  type InvalidCommand,
} from '../../../src/wire/commands.js';
import type { EncodedRecord } from '../../../src/wire/types.js';
import { CREATION_TIME } from './records.js';

const META = 'delivery-failure-notification-metadata';
const CORRELATION_ID = '9a1b7c4e-0f5d-4e8a-b2c6-3d9e1f0a7b58';

/** The headers of a record as `[name, text]` pairs, in order. */
const headerPairs = (record: EncodedRecord): [string, string][] =>
  record.headers.map((header) => {
    const entries = Object.entries(header);
    expect(entries).toHaveLength(1);
    const [name, value] = entries[0] as [string, Buffer];
    expect(Buffer.isBuffer(value)).toBe(true);
    return [name, value.toString('utf8')];
  });

/** An encoded record as the consumer would deliver it. */
const delivered = (record: EncodedRecord, overrides: Partial<KafkaRecord> = {}): KafkaRecord => ({
  ...record,
  partition: 0,
  offset: 7,
  ...overrides,
});

/** A raw record with string headers, for hand-made cases. */
const raw = (
  topic: string,
  headers: readonly (readonly [string, string])[],
  overrides: Partial<KafkaRecord> = {},
): KafkaRecord => ({
  topic,
  partition: 0,
  offset: 1,
  key: Buffer.from('4711'),
  value: null,
  headers: headers.map(([name, value]) => ({ [name]: Buffer.from(value) })),
  ...overrides,
});

const command = { tenantId: 'DEFAULT_TENANT', deviceId: '4711', creationTime: CREATION_TIME } as const;

/** Calls `run` and returns what it threw. */
function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('topics', () => {
  it('names the command and command response topics of a tenant', () => {
    expect(commandTopic('DEFAULT_TENANT')).toBe('hono.command.DEFAULT_TENANT');
    expect(commandResponseTopic('DEFAULT_TENANT')).toBe('hono.command_response.DEFAULT_TENANT');
  });

  it('refuses tenant ids that cannot be a topic suffix, by the length of each prefix', () => {
    for (const bad of ['', 'my tenant', 'a/b']) {
      expect(() => commandTopic(bad)).toThrow(TenantError);
      expect(() => commandResponseTopic(bad)).toThrow(TenantError);
    }
    expect(commandTopic('t'.repeat(236))).toHaveLength(249);
    expect(() => commandTopic('t'.repeat(237))).toThrow(TenantError);
    expect(commandResponseTopic('t'.repeat(227))).toHaveLength(249);
    expect(() => commandResponseTopic('t'.repeat(228))).toThrow(/at most 227 .*hono\.command_response\./);
  });
});

describe('command encoders write what KafkaBasedCommandSender writes', () => {
  it('a one-way command: response-required false, no content type, null value', () => {
    const record = encodeOneWayCommand({ ...command, name: 'reboot' });
    expect(record.topic).toBe('hono.command.DEFAULT_TENANT');
    expect(record.key).toEqual(Buffer.from('4711'));
    expect(record.value).toBeNull();
    expect(headerPairs(record)).toEqual([
      ['device_id', '4711'],
      ['subject', 'reboot'],
      ['response-required', 'false'],
      ['creation-time', '1712345678901'],
    ]);
  });

  it('a one-way command with payload, content type and ttl', () => {
    const record = encodeOneWayCommand({
      ...command,
      name: 'setVolume',
      payload: '{"level":3}',
      contentType: 'application/json',
      ttlMs: 30000,
    });
    expect(record.value).toEqual(Buffer.from('{"level":3}'));
    expect(headerPairs(record)).toEqual([
      ['device_id', '4711'],
      ['subject', 'setVolume'],
      ['response-required', 'false'],
      ['content-type', 'application/json'],
      ['ttl', '30000'],
      ['creation-time', '1712345678901'],
    ]);
  });

  it('a request: correlation-id, response-required true', () => {
    const record = encodeRequestCommand({ ...command, name: 'getState', correlationId: CORRELATION_ID });
    expect(headerPairs(record)).toEqual([
      ['device_id', '4711'],
      ['subject', 'getState'],
      ['response-required', 'true'],
      ['correlation-id', CORRELATION_ID],
      ['creation-time', '1712345678901'],
    ]);
  });

  it('a request with failure metadata, content type and trace context', () => {
    const record = encodeRequestCommand({
      ...command,
      name: 'getState',
      correlationId: CORRELATION_ID,
      payload: Buffer.from([1, 2, 3]),
      contentType: 'application/octet-stream',
      failureMetadata: { a: 'alpha', zz: 'zulu' },
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      tracestate: 'congo=t61rcWkgMzE',
    });
    expect(record.value).toEqual(Buffer.from([1, 2, 3]));
    expect(headerPairs(record)).toEqual([
      ['device_id', '4711'],
      ['subject', 'getState'],
      ['response-required', 'true'],
      [`${META}.a`, 'alpha'],
      ['correlation-id', CORRELATION_ID],
      [`${META}.zz`, 'zulu'],
      ['content-type', 'application/octet-stream'],
      ['creation-time', '1712345678901'],
      ['traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'],
      ['tracestate', 'congo=t61rcWkgMzE'],
    ]);
  });

  it('an empty payload stays an empty (non-null) value; creation-time defaults to now', () => {
    const before = Date.now();
    const record = encodeOneWayCommand({ tenantId: 't', deviceId: 'd', name: 'n', payload: '' });
    expect(record.value).not.toBeNull();
    expect(record.value).toHaveLength(0);
    const created = Number(headerPairs(record).at(-1)?.[1]);
    expect(created).toBeGreaterThanOrEqual(before);
    expect(created).toBeLessThanOrEqual(Date.now());
  });

  it.each([
    ['deviceId', { deviceId: '' }],
    ['deviceId', { deviceId: 42 }],
    ['deviceId', { deviceId: 'bad\uD800' }],
    ['name', { name: '' }],
    ['name', { name: undefined }],
    ['contentType', { contentType: '' }],
    ['ttlMs', { ttlMs: -1 }],
    ['ttlMs', { ttlMs: 1.5 }],
    ['ttlMs', { ttlMs: Number.NaN }],
    ['creationTime', { creationTime: 1e300 }],
    ['payload', { payload: 42 }],
    ['correlationId', { correlationId: '' }],
    ['correlationId', { correlationId: undefined }],
    ['failureMetadata', { failureMetadata: 'a=b' }],
    ['failureMetadata.key', { failureMetadata: { key: 1 } }],
  ])('refuses a bad %s before anything is written: %j', (field, change) => {
    const init = { ...command, name: 'n', correlationId: CORRELATION_ID, ...change } as never;
    const error = thrown(() => encodeRequestCommand(init));
    expect(error).toBeInstanceOf(InvalidCommandError);
    expect((error as InvalidCommandError).code).toBe(ErrorCode.InvalidCommand);
    expect((error as InvalidCommandError).field).toBe(field);
    if (!field.startsWith('correlationId') && !field.startsWith('failureMetadata')) {
      expect(() => encodeOneWayCommand(init)).toThrow(InvalidCommandError);
    }
  });

  it('refuses a bad tenant with a TenantError', () => {
    expect(() => encodeOneWayCommand({ ...command, tenantId: 'a b', name: 'n' })).toThrow(TenantError);
  });
});

describe('response encoders write what KafkaBasedCommandResponseSender writes', () => {
  const response = { ...command, correlationId: CORRELATION_ID } as const;

  it("a device's response with a payload but no type: application/octet-stream, ttl in ms", () => {
    const record = encodeCommandResponse({ ...response, status: 200, payload: 'ok', ttlMs: 60000 });
    expect(record.topic).toBe('hono.command_response.DEFAULT_TENANT');
    expect(record.key).toEqual(Buffer.from('4711'));
    expect(record.value).toEqual(Buffer.from('ok'));
    expect(headerPairs(record)).toEqual([
      ['tenant_id', 'DEFAULT_TENANT'],
      ['device_id', '4711'],
      ['correlation-id', CORRELATION_ID],
      ['content-type', 'application/octet-stream'],
      ['ttl', '60000'],
      ['status', '200'],
      ['creation-time', '1712345678901'],
    ]);
  });

  it("a device's response without a payload: no content-type, null value", () => {
    const record = encodeCommandResponse({ ...response, status: 404 });
    expect(record.value).toBeNull();
    expect(headerPairs(record)).toEqual([
      ['tenant_id', 'DEFAULT_TENANT'],
      ['device_id', '4711'],
      ['correlation-id', CORRELATION_ID],
      ['status', '404'],
      ['creation-time', '1712345678901'],
    ]);
  });

  it("a device's response keeps its own content type and additional headers", () => {
    const record = encodeCommandResponse({
      ...response,
      status: 200,
      payload: '{"on":true}',
      contentType: 'application/json',
      additionalHeaders: { region: 'eu' },
    });
    expect(headerPairs(record)).toContainEqual(['content-type', 'application/json']);
    expect(headerPairs(record)).toContainEqual(['region', 'eu']);
  });

  it("Hono's 503 for a device that is not connected, with the command's metadata copied", () => {
    const record = encodeDeliveryFailure({
      ...response,
      status: 503,
      error: 'no consumer available',
      failureMetadata: { [`${META}.a`]: 'alpha', [`${META}.zz`]: 'zulu' },
    });
    expect(record.value?.toString()).toBe('{"error":"no consumer available"}');
    expect(headerPairs(record)).toEqual([
      ['tenant_id', 'DEFAULT_TENANT'],
      ['device_id', '4711'],
      [`${META}.a`, 'alpha'],
      ['correlation-id', CORRELATION_ID],
      [`${META}.zz`, 'zulu'],
      ['content-type', deliveryFailureContentType],
      ['status', '503'],
      ['creation-time', '1712345678901'],
    ]);
  });

  it('escapes the error text as Jackson does (upper-case hex for control characters)', () => {
    const record = encodeDeliveryFailure({ ...response, status: 400, error: 'a"b\\c\n\u001f\u00e9' });
    expect(record.value?.toString()).toBe('{"error":"a\\"b\\\\c\\n\\u001Fé"}');
    expect(decodeCommandResponse(delivered(record))).toMatchObject({ error: 'a"b\\c\n\u001f\u00e9' });
  });

  it.each([
    ['status', { status: 199 }],
    ['status', { status: 302 }],
    ['status', { status: 600 }],
    ['status', { status: 200.5 }],
    ['status', { status: '200' }],
    ['deviceId', { deviceId: '' }],
    ['correlationId', { correlationId: '' }],
    ['ttlMs', { ttlMs: -5 }],
    ['contentType', { contentType: '' }],
    ['additionalHeaders', { additionalHeaders: { status: '200' } }],
    ['additionalHeaders', { additionalHeaders: { 'ttl-command-response': '5' } }],
    ['additionalHeaders.x', { additionalHeaders: { x: 5 } }],
  ])('a response refuses a bad %s: %j', (field, change) => {
    const error = thrown(() => encodeCommandResponse({ ...response, status: 200, ...change } as never));
    expect(error).toBeInstanceOf(EncodeError);
    expect((error as EncodeError).field).toBe(field);
  });

  it.each([
    ['status', { status: 200 }],
    ['status', { status: 302 }],
    ['status', { status: 600 }],
    ['error', { error: undefined }],
    ['failureMetadata', { failureMetadata: { other: 'x' } }],
  ])('a delivery failure refuses a bad %s: %j', (field, change) => {
    const init = { ...response, status: 503, error: 'x', ...change } as never;
    const error = thrown(() => encodeDeliveryFailure(init));
    expect(error).toBeInstanceOf(EncodeError);
    expect((error as EncodeError).field).toBe(field);
  });

  it('refuses a tenant that does not fit hono.command_response.<tenant>', () => {
    expect(() => encodeCommandResponse({ ...response, tenantId: 't'.repeat(230), status: 200 })).toThrow(
      TenantError,
    );
  });
});

describe('decodeCommand reads a command as the Command Router does', () => {
  it('round trip: a one-way command', () => {
    const record = encodeOneWayCommand({
      ...command,
      name: 'setVolume',
      payload: 'x',
      contentType: 'text/plain',
      ttlMs: 1000,
    });
    expect(decodeCommand(delivered(record))).toEqual({
      tenantId: 'DEFAULT_TENANT',
      deviceId: '4711',
      name: 'setVolume',
      payload: Buffer.from('x'),
      contentType: 'text/plain',
      correlationId: undefined,
      responseRequired: false,
      failureMetadata: {},
      creationTime: CREATION_TIME,
      ttlMs: 1000,
    } satisfies DecodedCommand);
  });

  it('round trip: a request, its metadata by full names, then the delivery failure for it', () => {
    const record = encodeRequestCommand({
      ...command,
      name: 'getState',
      correlationId: CORRELATION_ID,
      failureMetadata: { a: 'alpha', 'b.c': 'ünï' },
    });
    const decoded = decodeCommand(delivered(record)) as DecodedCommand;
    expect(decoded).toMatchObject({
      name: 'getState',
      payload: null,
      contentType: undefined,
      correlationId: CORRELATION_ID,
      responseRequired: true,
      failureMetadata: { [`${META}.a`]: 'alpha', [`${META}.b.c`]: 'ünï' },
    });
    const failure = encodeDeliveryFailure({
      tenantId: decoded.tenantId,
      deviceId: decoded.deviceId,
      correlationId: CORRELATION_ID,
      status: 503,
      error: 'no consumer available',
      failureMetadata: decoded.failureMetadata,
      creationTime: CREATION_TIME,
    });
    expect(decodeCommandResponse(delivered(failure))).toEqual({
      kind: 'deliveryFailure',
      tenantId: 'DEFAULT_TENANT',
      deviceId: '4711',
      correlationId: CORRELATION_ID,
      status: 503,
      error: 'no consumer available',
      failureMetadata: decoded.failureMetadata,
      creationTime: CREATION_TIME,
    } satisfies CommandResponse);
  });

  const topic = 'hono.command.DEFAULT_TENANT';
  const good: [string, string][] = [
    ['device_id', '4711'],
    ['subject', 'getState'],
    ['correlation-id', 'c-1'],
    ['response-required', 'true'],
    [`${META}.x`, 'first'],
    [`${META}.x`, 'second'],
  ];
  const without = (name: string): [string, string][] => good.filter(([header]) => header !== name);

  it.each<[string, KafkaRecord, Partial<InvalidCommand>]>([
    ['no device_id', raw(topic, without('device_id')), { reason: 'device identifier is not set' }],
    [
      'an empty device_id',
      raw(topic, [['device_id', ''], ...without('device_id')]),
      { reason: 'device identifier is not set' },
    ],
    [
      'a key that differs from device_id',
      raw(topic, good, { key: Buffer.from('4712') }),
      { reason: 'device identifier not set as record key', correlationId: 'c-1' },
    ],
    ['no key', raw(topic, good, { key: null }), { reason: 'device identifier not set as record key' }],
    ['a response topic', raw('hono.command_response.DEFAULT_TENANT', good), { reason: 'unsupported topic' }],
    ['an event topic', raw('hono.event.DEFAULT_TENANT', good), { reason: 'unsupported topic' }],
  ])('drops a record with %s (Hono answers nothing)', (_what, record, expected) => {
    expect(decodeCommand(record)).toMatchObject({ kind: 'dropped', ...expected });
  });

  it.each<[string, KafkaRecord, Partial<InvalidCommand>]>([
    [
      'no subject',
      raw(topic, without('subject')),
      { reason: 'subject not set', correlationId: 'c-1', responseRequired: true },
    ],
    [
      'response-required without a correlation-id',
      raw(topic, without('correlation-id')),
      { reason: 'correlation-id is not set', correlationId: undefined, responseRequired: true },
    ],
    [
      'response-required with an empty correlation-id and no subject',
      raw(topic, [['correlation-id', ''], ...without('correlation-id').filter(([n]) => n !== 'subject')]),
      { reason: 'subject not set, correlation-id is not set', correlationId: undefined },
    ],
    [
      'no subject on a one-way command',
      raw(topic, [['device_id', '4711']]),
      { reason: 'subject not set', responseRequired: false },
    ],
  ])('rejects as malformed a record with %s', (_what, record, expected) => {
    expect(decodeCommand(record)).toMatchObject({
      kind: 'malformed',
      tenantId: 'DEFAULT_TENANT',
      deviceId: '4711',
      ...expected,
    });
  });

  it('keeps the first of repeated metadata headers, and the first of any header', () => {
    const record = raw(topic, [['subject', 'first'], ...good]);
    expect(decodeCommand(record)).toMatchObject({
      name: 'first',
      failureMetadata: { [`${META}.x`]: 'first' },
    });
  });

  it.each([
    ['absent', undefined],
    ['false', 'false'],
    ['TRUE (no JSON boolean)', 'TRUE'],
    ['"true" (a JSON string)', '"true"'],
    ['1', '1'],
  ])('treats response-required %s as one-way', (_what, value) => {
    const headers = without('response-required');
    const record = raw(topic, value === undefined ? headers : [...headers, ['response-required', value]]);
    expect(decodeCommand(record)).toMatchObject({ responseRequired: false, correlationId: 'c-1' });
  });

  it('reads a creation-time or ttl that is no JSON integer as absent, as Hono does', () => {
    const record = raw(topic, [...good, ['creation-time', 'yesterday'], ['ttl', '1.5']]);
    expect(decodeCommand(record)).toMatchObject({ creationTime: undefined, ttlMs: undefined });
  });

  it('drops records that are not shaped like a Kafka record, without throwing', () => {
    expect(decodeCommand(null as never)).toMatchObject({ kind: 'dropped' });
    expect(decodeCommand({ ...raw(topic, good), headers: 'x' } as never)).toMatchObject({ kind: 'dropped' });
    expect(decodeCommand({ ...raw(topic, good), headers: [{ device_id: 5 }] } as never)).toMatchObject({
      kind: 'dropped',
      reason: expect.stringContaining('malformed record') as unknown,
    });
  });

  it('isCommandExpired: creation-time + ttl < now, as HonoKafkaConsumer skips records', () => {
    const decoded = decodeCommand(
      delivered(encodeOneWayCommand({ ...command, name: 'n', ttlMs: 1000 })),
    ) as DecodedCommand;
    expect(isCommandExpired(decoded, CREATION_TIME + 1000)).toBe(false);
    expect(isCommandExpired(decoded, CREATION_TIME + 1001)).toBe(true);
    expect(isCommandExpired({ ...decoded, ttlMs: undefined }, Number.MAX_SAFE_INTEGER)).toBe(false);
    expect(isCommandExpired({ ...decoded, creationTime: undefined }, CREATION_TIME)).toBe(false);
  });
});

describe('decodeCommandResponse reads what the command client gets', () => {
  const topic = 'hono.command_response.DEFAULT_TENANT';
  const good: [string, string][] = [
    ['tenant_id', 'DEFAULT_TENANT'],
    ['device_id', '4711'],
    ['correlation-id', 'c-1'],
    ['status', '200'],
    ['creation-time', String(CREATION_TIME)],
  ];
  const without = (name: string): [string, string][] => good.filter(([header]) => header !== name);

  it("round trip: a device's response", () => {
    const record = encodeCommandResponse({
      ...command,
      correlationId: CORRELATION_ID,
      status: 201,
      payload: '{"on":true}',
      contentType: 'application/json',
      ttlMs: 5000,
    });
    expect(decodeCommandResponse(delivered(record))).toEqual({
      kind: 'response',
      tenantId: 'DEFAULT_TENANT',
      deviceId: '4711',
      correlationId: CORRELATION_ID,
      status: 201,
      contentType: 'application/json',
      payload: Buffer.from('{"on":true}'),
      creationTime: CREATION_TIME,
      ttlMs: 5000,
    } satisfies CommandResponse);
  });

  it('reads a minimal response: no creation-time, no tenant_id, device from the key', () => {
    const record = raw(topic, [
      ['correlation-id', 'c-1'],
      ['status', '500'],
    ]);
    expect(decodeCommandResponse(record)).toMatchObject({
      kind: 'response',
      tenantId: 'DEFAULT_TENANT',
      deviceId: '4711',
      status: 500,
      creationTime: undefined,
      contentType: undefined,
      payload: null,
    });
  });

  it('takes the tenant from the tenant_id header on another topic', () => {
    expect(decodeCommandResponse(raw('responses', good))).toMatchObject({ tenantId: 'DEFAULT_TENANT' });
  });

  it.each<[string, KafkaRecord, DecodeErrorCode, string | undefined]>([
    [
      'no correlation-id',
      raw(topic, without('correlation-id')),
      DecodeErrorCode.MissingCorrelationId,
      'correlation-id',
    ],
    [
      'an empty correlation-id',
      raw(topic, [['correlation-id', ''], ...without('correlation-id')]),
      DecodeErrorCode.MissingCorrelationId,
      'correlation-id',
    ],
    ['no status', raw(topic, without('status')), DecodeErrorCode.MissingStatus, 'status'],
    ['status OK', raw(topic, [['status', 'OK'], ...good]), DecodeErrorCode.BadStatus, 'status'],
    ['status 200.5', raw(topic, [['status', '200.5'], ...good]), DecodeErrorCode.BadStatus, 'status'],
    ['status "200"', raw(topic, [['status', '"200"'], ...good]), DecodeErrorCode.BadStatus, 'status'],
    [
      'a status beyond Java int',
      raw(topic, [['status', '2147483648'], ...good]),
      DecodeErrorCode.BadStatus,
      'status',
    ],
    [
      'a creation-time that is no integer',
      raw(topic, [['creation-time', 'now'], ...good]),
      DecodeErrorCode.BadHeader,
      'creation-time',
    ],
    ['a negative ttl', raw(topic, [...good, ['ttl', '-1']]), DecodeErrorCode.BadHeader, 'ttl'],
    [
      'a tenant_id other than the topic',
      raw(topic, [['tenant_id', 'other'], ...good]),
      DecodeErrorCode.TenantMismatch,
      'tenant_id',
    ],
    ['no tenant at all', raw('responses', without('tenant_id')), DecodeErrorCode.NotHonoTopic, undefined],
    [
      'no device',
      raw(topic, without('device_id'), { key: null }),
      DecodeErrorCode.MissingDeviceId,
      'device_id',
    ],
    [
      'a key other than device_id',
      raw(topic, good, { key: '4712' }),
      DecodeErrorCode.DeviceIdMismatch,
      'device_id',
    ],
  ])('reports %s', (_what, record, code, header) => {
    const error = thrown(() => decodeCommandResponse(record));
    expect(error).toBeInstanceOf(DecodeError);
    expect((error as DecodeError).code).toBe(code);
    expect((error as DecodeError).header).toBe(header);
    expect((error as DecodeError).record).toBe(record);
    if (code !== DecodeErrorCode.MissingCorrelationId)
      expect((error as DecodeError).correlationId).toBe('c-1');
  });

  it.each([
    ['no value', null],
    ['no JSON', Buffer.from('no consumer available')],
    ['a JSON array', Buffer.from('["error"]')],
    ['no error field', Buffer.from('{"message":"x"}')],
    ['a numeric error', Buffer.from('{"error":503}')],
    ['JSON null', Buffer.from('null')],
  ])('reports a delivery failure with %s as ERR_HONO_BAD_DELIVERY_FAILURE', (_what, value) => {
    const record = raw(topic, [...good, ['content-type', deliveryFailureContentType]], { value });
    const error = thrown(() => decodeCommandResponse(record));
    expect(error).toBeInstanceOf(DecodeError);
    expect((error as DecodeError).code).toBe(DecodeErrorCode.BadDeliveryFailure);
    expect((error as DecodeError).correlationId).toBe('c-1');
  });

  it('reports records that are not shaped like a Kafka record as ERR_HONO_MALFORMED_RECORD', () => {
    for (const record of [
      null,
      5,
      { topic, headers: {} },
      { topic, headers: [null] },
      { topic, value: 'x' },
    ]) {
      const error = thrown(() => decodeCommandResponse(record as never));
      expect(error).toBeInstanceOf(DecodeError);
      expect((error as DecodeError).code).toBe(DecodeErrorCode.MalformedRecord);
    }
  });
});

describe('fuzz', () => {
  const names = fc.constantFrom(
    'device_id',
    'tenant_id',
    'correlation-id',
    'status',
    'subject',
    'response-required',
    'content-type',
    'creation-time',
    'ttl',
    `${META}.k`,
    META,
  );
  const headerValue = fc.oneof(
    fc.string(),
    fc.constantFrom('200', '503', '-1', '1e3', 'true', '4711', 'DEFAULT_TENANT', deliveryFailureContentType),
    fc.uint8Array({ maxLength: 16 }).map((bytes) => Buffer.from(bytes)),
  );
  const header = fc.oneof(
    fc.tuple(names, headerValue).map(([name, value]) => ({ [name]: value })),
    fc.dictionary(fc.string(), fc.oneof(headerValue, fc.anything()), { maxKeys: 2 }),
  );
  const record = fc.record({
    topic: fc.oneof(
      fc.constantFrom('hono.command.t', 'hono.command_response.t', 'hono.command.', 'x'),
      fc.string(),
    ),
    partition: fc.nat(),
    offset: fc.nat(),
    key: fc.oneof(fc.constant(null), fc.constantFrom('4711', ''), fc.string(), headerValue),
    value: fc.oneof(
      fc.constant(null),
      fc.constantFrom('{"error":"x"}', '{"error":1}', '[]').map((body) => Buffer.from(body)),
      fc.uint8Array({ maxLength: 16 }).map((bytes) => Buffer.from(bytes)),
    ),
    headers: fc.oneof(fc.array(header, { maxLength: 8 }), fc.anything()),
  });

  /** What decodeCommandResponse may do: return a response, or throw a DecodeError for this record. */
  function responseOrDecodeError(input: unknown): void {
    let response: CommandResponse;
    try {
      response = decodeCommandResponse(input as KafkaRecord);
    } catch (error) {
      expect(error).toBeInstanceOf(DecodeError);
      expect((error as DecodeError).record).toBe(input);
      return;
    }
    expect(['response', 'deliveryFailure']).toContain(response.kind);
    expect(response.correlationId.length).toBeGreaterThan(0);
    expect(response.deviceId.length).toBeGreaterThan(0);
    expect(Number.isInteger(response.status)).toBe(true);
  }

  /** What decodeCommand may do: return a command or an invalid command, never throw. */
  function commandOrInvalid(input: unknown): void {
    const result = decodeCommand(input as KafkaRecord);
    if ('kind' in result) {
      expect(['dropped', 'malformed']).toContain(result.kind);
      expect(result.reason.length).toBeGreaterThan(0);
    } else {
      expect(result.deviceId.length).toBeGreaterThan(0);
      expect(result.responseRequired && result.correlationId === undefined).toBe(false);
    }
  }

  test.prop([record], { numRuns: 3000 })('arbitrary headers and values', (input) => {
    responseOrDecodeError(input);
    commandOrInvalid(input);
  });

  test.prop([fc.anything({ withBoxedValues: true, withMap: true, withSet: true, withTypedArray: true })], {
    numRuns: 1000,
  })('values of any shape', (input) => {
    responseOrDecodeError(input);
    commandOrInvalid(input);
  });

  const text = fc.string({ minLength: 1 }).filter((value) => !/\p{Cs}/u.test(value));
  test.prop(
    [
      fc.record({
        deviceId: text,
        name: text,
        correlationId: text,
        payload: fc.option(
          fc.uint8Array().map((bytes) => Buffer.from(bytes)),
          { nil: undefined },
        ),
        failureMetadata: fc.dictionary(
          text,
          fc.string().filter((value) => !/\p{Cs}/u.test(value)),
        ),
        status: fc.oneof(fc.integer({ min: 200, max: 299 }), fc.integer({ min: 400, max: 599 })),
      }),
    ],
    { numRuns: 500 },
  )('any valid request round-trips through the router and back as a response', (init) => {
    const request = encodeRequestCommand({ tenantId: 't', ...init });
    const decoded = decodeCommand(delivered(request)) as DecodedCommand;
    expect(decoded).toMatchObject({
      tenantId: 't',
      deviceId: init.deviceId,
      name: init.name,
      correlationId: init.correlationId,
      responseRequired: true,
    });
    expect(decoded.payload).toEqual(init.payload ?? null);
    expect(Object.keys(decoded.failureMetadata)).toHaveLength(Object.keys(init.failureMetadata).length);
    const response = encodeCommandResponse({
      tenantId: 't',
      deviceId: decoded.deviceId,
      correlationId: init.correlationId,
      status: init.status,
      payload: init.payload,
    });
    expect(decodeCommandResponse(delivered(response))).toMatchObject({
      kind: 'response',
      deviceId: init.deviceId,
      correlationId: init.correlationId,
      status: init.status,
      contentType: init.payload === undefined ? undefined : 'application/octet-stream',
    });
  });
});
