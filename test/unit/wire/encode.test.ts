import { describe, expect, it } from 'vitest';
import { EncodeError, TenantError } from '../../../src/errors.js';
import {
  encodeConnectionEvent,
  encodeDataEvent,
  encodeEmptyNotification,
  encodeEvent,
  encodeProvisioningNotification,
} from '../../../src/wire/encode.js';
import type { EncodedRecord } from '../../../src/wire/types.js';
import { CREATION_TIME } from './records.js';

/** The headers of a record as `[name, text]` pairs, in order. */
const headerPairs = (record: EncodedRecord): [string, string][] =>
  record.headers.map((header) => {
    const entries = Object.entries(header);
    expect(entries).toHaveLength(1);
    const [name, value] = entries[0] as [string, Buffer];
    expect(Buffer.isBuffer(value)).toBe(true);
    return [name, value.toString('utf8')];
  });

const who = { tenantId: 'DEFAULT_TENANT', deviceId: '4711', creationTime: CREATION_TIME } as const;

describe('encoders write what Hono writes', () => {
  it('an empty notification: null value, JSON-text numbers, raw strings', () => {
    const record = encodeEmptyNotification({ ...who, ttd: 60, origAdapter: 'hono-mqtt' });
    expect(record.topic).toBe('hono.event.DEFAULT_TENANT');
    expect(record.key).toEqual(Buffer.from('4711'));
    expect(record.value).toBeNull();
    expect(record).not.toHaveProperty('timestamp');
    expect(headerPairs(record)).toEqual([
      ['content-type', 'application/vnd.eclipse-hono-empty-notification'],
      ['device_id', '4711'],
      ['qos', '1'],
      ['creation-time', '1712345678901'],
      ['ttd', '60'],
      ['orig_adapter', 'hono-mqtt'],
    ]);
  });

  it('a connection event: compact JSON with remote-id', () => {
    const record = encodeConnectionEvent({
      ...who,
      cause: 'connected',
      remoteId: 'mqtt-client-id-1',
      source: 'hono-mqtt',
      data: { foo: 'bar' },
    });
    expect(record.value?.toString()).toBe(
      '{"cause":"connected","remote-id":"mqtt-client-id-1","source":"hono-mqtt","data":{"foo":"bar"}}',
    );
    expect(headerPairs(record)[0]).toEqual([
      'content-type',
      'application/vnd.eclipse-hono-dc-notification+json',
    ]);
    const withoutData = encodeConnectionEvent({ ...who, cause: 'disconnected', remoteId: 'r', source: 's' });
    expect(withoutData.value?.toString()).toBe('{"cause":"disconnected","remote-id":"r","source":"s"}');
  });

  it('a provisioning notification: null value, NEW, tenant_id and gateway_id headers', () => {
    const record = encodeProvisioningNotification({ ...who, gatewayId: 'gw-1' });
    expect(record.value).toBeNull();
    expect(headerPairs(record)).toEqual([
      ['content-type', 'application/vnd.eclipse-hono-device-provisioning-notification'],
      ['device_id', '4711'],
      ['qos', '1'],
      ['creation-time', '1712345678901'],
      ['tenant_id', 'DEFAULT_TENANT'],
      ['hono_registration_status', 'NEW'],
      ['gateway_id', 'gw-1'],
    ]);
  });

  it('a data event: payload, octet-stream by default, every optional header', () => {
    const record = encodeDataEvent({
      ...who,
      endpoint: 'telemetry',
      qos: 0,
      payload: 'hällo',
      contentEncoding: 'identity',
      ttd: -1,
      ttl: 5000,
      origAddress: '/telemetry',
      retain: true,
      traceparent: 'tp',
      tracestate: 'ts',
      baggage: 'bg',
      extraHeaders: { region: 'eu', floor: 3, indoor: true, meta: JSON.stringify({ a: 1 }) },
      timestamp: 99,
    });
    expect(record.topic).toBe('hono.telemetry.DEFAULT_TENANT');
    expect(record.value).toEqual(Buffer.from('hällo', 'utf8'));
    expect(record.timestamp).toBe(99);
    expect(headerPairs(record)).toEqual([
      ['content-type', 'application/octet-stream'],
      ['device_id', '4711'],
      ['qos', '0'],
      ['creation-time', '1712345678901'],
      ['ttd', '-1'],
      ['ttl', '5000'],
      ['orig_address', '/telemetry'],
      ['x-opt-retain', 'true'],
      ['content-encoding', 'identity'],
      ['traceparent', 'tp'],
      ['tracestate', 'ts'],
      ['baggage', 'bg'],
      ['region', 'eu'],
      ['floor', '3'],
      ['indoor', 'true'],
      ['meta', '{"a":1}'],
    ]);
  });

  it('takes Buffer, Uint8Array or nothing as payload; a Buffer is not copied', () => {
    const payload = Buffer.from([1, 2, 3]);
    expect(encodeDataEvent({ ...who, payload }).value).toBe(payload);
    const bytes = new Uint8Array([9, 8, 7, 6]).subarray(1, 3);
    expect(encodeDataEvent({ ...who, payload: bytes }).value).toEqual(Buffer.from([8, 7]));
    expect(encodeDataEvent(who).value).toEqual(Buffer.alloc(0));
  });

  it('an empty payload is a zero-length Buffer with backing memory, which the client writes as empty, not null', () => {
    for (const payload of [undefined, '', Buffer.alloc(0), new Uint8Array(0)]) {
      const value = encodeDataEvent({ ...who, payload }).value;
      expect(value?.length).toBe(0);
      expect(value?.buffer.byteLength).toBeGreaterThan(0);
    }
  });

  it('writes no x-opt-retain for retain false', () => {
    expect(
      headerPairs(encodeEmptyNotification({ ...who, retain: false })).map(([name]) => name),
    ).not.toContain('x-opt-retain');
  });

  it('stamps the current time when no creation time is given, and accepts a Date', () => {
    const before = Date.now();
    const record = encodeEmptyNotification({ tenantId: 't', deviceId: 'd' });
    const stamped = Number(new Map(headerPairs(record)).get('creation-time'));
    expect(stamped).toBeGreaterThanOrEqual(before);
    expect(stamped).toBeLessThanOrEqual(Date.now());
    const dated = encodeEmptyNotification({ ...who, creationTime: new Date(5) });
    expect(new Map(headerPairs(dated)).get('creation-time')).toBe('5');
  });

  it('dispatches on type', () => {
    expect(encodeEvent({ type: 'emptyNotification', ...who })).toEqual(encodeEmptyNotification(who));
    expect(encodeEvent({ type: 'provisioning', ...who })).toEqual(encodeProvisioningNotification(who));
    expect(encodeEvent({ type: 'event', ...who, payload: 'x' })).toEqual(
      encodeDataEvent({ ...who, payload: 'x' }),
    );
    const connection = { ...who, cause: 'connected', remoteId: 'r', source: 's' } as const;
    expect(encodeEvent({ type: 'connection', ...connection })).toEqual(encodeConnectionEvent(connection));
  });
});

describe('encoders reject what Hono never writes', () => {
  it('rejects a connection event or provisioning notification for the telemetry topic', () => {
    const telemetry = { tenantId: 'acme', deviceId: '4711', endpoint: 'telemetry' } as const;
    expect(() =>
      encodeConnectionEvent({ ...telemetry, cause: 'connected', remoteId: 'r', source: 's' }),
    ).toThrow(
      new EncodeError(
        'endpoint',
        'Hono writes connection events to hono.event.<tenant> only, never to telemetry',
      ),
    );
    expect(() => encodeProvisioningNotification(telemetry)).toThrow(EncodeError);
  });

  it('rejects an event type it does not know (from JavaScript) with an EncodeError', () => {
    const unknown = { ...who, type: 'telemetry' } as unknown as Parameters<typeof encodeEvent>[0];
    expect(() => encodeEvent(unknown)).toThrow(EncodeError);
    expect(() => encodeEvent(unknown)).toThrow(/type must be one of .*got telemetry/);
  });

  it.each([
    ['an empty device id', () => encodeEmptyNotification({ ...who, deviceId: '' }), 'deviceId'],
    ['a fractional ttd', () => encodeEmptyNotification({ ...who, ttd: 1.5 }), 'ttd'],
    ['a ttd below -1', () => encodeEmptyNotification({ ...who, ttd: -2 }), 'ttd'],
    ['a ttd above Java int', () => encodeEmptyNotification({ ...who, ttd: 2 ** 31 }), 'ttd'],
    ['a negative ttl', () => encodeEmptyNotification({ ...who, ttl: -1 }), 'ttl'],
    ['qos 2', () => encodeEmptyNotification({ ...who, qos: 2 as 1 }), 'qos'],
    [
      'an invalid date',
      () => encodeEmptyNotification({ ...who, creationTime: new Date(NaN) }),
      'creationTime',
    ],
    [
      'a fractional creation time',
      () => encodeEmptyNotification({ ...who, creationTime: 1.5 }),
      'creationTime',
    ],
    [
      'another cause',
      () => encodeConnectionEvent({ ...who, cause: 'x' as 'connected', remoteId: 'r', source: 's' }),
      'cause',
    ],
    [
      'a remote-id that is no string',
      () =>
        encodeConnectionEvent({ ...who, cause: 'connected', remoteId: 1 as unknown as string, source: 's' }),
      'remoteId',
    ],
    [
      'data that is an array',
      () =>
        encodeConnectionEvent({
          ...who,
          cause: 'connected',
          remoteId: 'r',
          source: 's',
          data: [] as unknown as Record<string, unknown>,
        }),
      'data',
    ],
    [
      'an empty registration status',
      () => encodeProvisioningNotification({ ...who, registrationStatus: '' }),
      'registrationStatus',
    ],
    [
      'a well-known content type on a data event',
      () => encodeDataEvent({ ...who, contentType: 'application/vnd.eclipse-hono-empty-notification' }),
      'contentType',
    ],
    [
      "an extra header with Hono's own name",
      () => encodeDataEvent({ ...who, extraHeaders: { ttd: 5 } }),
      'extraHeaders',
    ],
    [
      'an extra header that is NaN',
      () => encodeDataEvent({ ...who, extraHeaders: { x: NaN } }),
      'extraHeaders',
    ],
  ])('%s', (_name, encode, field) => {
    expect(encode).toThrow(EncodeError);
    expect(encode).toThrow(expect.objectContaining({ code: 'ERR_HONO_INVALID_ENCODER_INPUT', field }));
  });

  it.each(['', 'a b', 'x'.repeat(239)])('rejects the tenant %j before building anything', (tenantId) => {
    expect(() => encodeEmptyNotification({ ...who, tenantId })).toThrow(TenantError);
  });
});
