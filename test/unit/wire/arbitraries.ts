/** fast-check arbitraries for valid Hono events (encoder inputs) and for arbitrary, mostly broken records. */
import { fc } from '@fast-check/vitest';
import type { HonoEventInit } from '../../../src/wire/encode.js';
import type { KafkaRecord, KafkaRecordHeader } from '../../../src/types.js';

const text = fc.string({ unit: 'binary', maxLength: 40 });
const nonEmptyText = fc.string({ unit: 'binary', minLength: 1, maxLength: 40 });
const optional = <T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.option(arbitrary, { nil: undefined });

export const tenantIdArbitrary = fc.string({
  unit: fc.constantFrom(...'abzAZ09._-'.split('')),
  minLength: 1,
  maxLength: 40,
});

const WELL_KNOWN = new Set([
  'application/vnd.eclipse-hono-empty-notification',
  'application/vnd.eclipse-hono-dc-notification+json',
  'application/vnd.eclipse-hono-device-provisioning-notification',
]);

const base = fc.record({
  tenantId: tenantIdArbitrary,
  deviceId: nonEmptyText,
  endpoint: optional(fc.constantFrom<'event' | 'telemetry'>('event', 'telemetry')),
  creationTime: fc.oneof(
    fc.integer({ min: -8.64e15, max: 8.64e15 }),
    fc.integer({ min: 1.6e12, max: 1.8e12 }).map((ms) => new Date(ms)),
  ),
  qos: optional(fc.constantFrom<0 | 1>(0, 1)),
  ttd: optional(fc.oneof(fc.constant(-1), fc.constant(0), fc.integer({ min: 1, max: 2 ** 31 - 1 }))),
  ttl: optional(fc.oneof(fc.nat(), fc.maxSafeNat())),
  origAdapter: optional(text),
  origAddress: optional(text),
  retain: optional(fc.boolean()),
  traceparent: optional(text),
  tracestate: optional(text),
  baggage: optional(text),
  timestamp: optional(fc.nat()),
});

/** Connection events and provisioning notifications are written to the event topic only. */
function eventOnly<Init extends { readonly endpoint?: 'event' | 'telemetry' | undefined }>(init: Init): Init {
  return init.endpoint === 'telemetry' ? { ...init, endpoint: 'event' } : init;
}

/** Any valid event for the encoders, of every kind. */
export const eventInitArbitrary: fc.Arbitrary<HonoEventInit> = fc.oneof(
  base.map((init) => ({ type: 'emptyNotification' as const, ...init })),
  fc
    .record({
      init: base,
      cause: fc.constantFrom<'connected' | 'disconnected'>('connected', 'disconnected'),
      remoteId: text,
      source: text,
      data: optional(fc.dictionary(text, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 })),
    })
    .map(({ init, ...payload }) => ({ type: 'connection' as const, ...eventOnly(init), ...payload })),
  fc
    .record({ init: base, registrationStatus: optional(nonEmptyText), gatewayId: optional(text) })
    .map(({ init, ...provisioning }) => ({
      type: 'provisioning' as const,
      ...eventOnly(init),
      ...provisioning,
    })),
  fc
    .record({
      init: base,
      payload: optional(fc.oneof(fc.uint8Array({ maxLength: 64 }), text)),
      contentType: optional(text.filter((type) => !WELL_KNOWN.has(type))),
      contentEncoding: optional(text),
    })
    .map(({ init, ...data }) => ({ type: 'event' as const, ...init, ...data })),
);

const HEADER_NAMES = [
  'content-type',
  'content-encoding',
  'creation-time',
  'device_id',
  'tenant_id',
  'qos',
  'ttd',
  'ttl',
  'orig_adapter',
  'orig_address',
  'x-opt-retain',
  'traceparent',
  'hono_registration_status',
  'gateway_id',
];

const TEXTS = [
  'application/vnd.eclipse-hono-empty-notification',
  'application/vnd.eclipse-hono-dc-notification+json',
  'application/vnd.eclipse-hono-device-provisioning-notification',
  'application/json',
  '4711',
  'DEFAULT_TENANT',
  'NEW',
  '-1',
  '0',
  '1',
  '60',
  '-2',
  '1.5',
  '1712345678901',
  '99999999999999999999',
  'true',
  'false',
  'null',
  '"60"',
  '',
  '{"cause":"connected","remote-id":"r","source":"s"}',
];

const bytes: fc.Arbitrary<Buffer> = fc.oneof(
  fc.constantFrom(...TEXTS).map((value) => Buffer.from(value)),
  text.map((value) => Buffer.from(value)),
  fc.uint8Array({ maxLength: 24 }).map((value) => Buffer.from(value)),
);

const header: fc.Arbitrary<KafkaRecordHeader> = fc.oneof(
  fc
    .record({ name: fc.constantFrom(...HEADER_NAMES), value: bytes })
    .map(({ name, value }) => ({ [name]: value })),
  fc.record({ name: text, value: fc.oneof(bytes, text) }).map(({ name, value }) => ({ [name]: value })),
);

/** Records of the right shape with arbitrary, mostly nonsensical, bytes. */
export const byteRecordArbitrary: fc.Arbitrary<KafkaRecord> = fc.record({
  topic: fc.oneof(
    tenantIdArbitrary.map((tenant) => `hono.event.${tenant}`),
    tenantIdArbitrary.map((tenant) => `hono.telemetry.${tenant}`),
    fc.constantFrom('hono.event.', 'hono.command.t', 'x'),
    text,
  ),
  partition: fc.nat(),
  offset: fc.nat(),
  key: fc.oneof(fc.constant(null), fc.constant(undefined), bytes, text),
  value: fc.oneof(fc.constant(null), bytes),
  headers: fc.oneof(fc.constant(undefined), fc.array(header, { maxLength: 12 })),
  timestamp: fc.oneof(fc.constant(undefined), fc.integer(), fc.double()),
});
