/**
 * Encoding Hono events into Kafka records byte for byte as Hono's Java code writes them: for tests, for
 * simulated protocol adapters, and for the round trip with {@link decodeEvent}.
 *
 * @module
 */
import { EncodeError } from '../errors.js';
import { HonoEndpoint, honoTopic } from '../tenant.js';
import { wireValue } from './bytes.js';
import {
  ConnectionCause,
  HonoContentType,
  HonoEventType,
  HonoHeader,
  QoS,
  type EncodedRecord,
} from './types.js';

/** Java's Integer.MAX_VALUE: Hono reads `ttd` as an int. */
const MAX_TTD = 2_147_483_647;
const MAX_DATE_MS = 8.64e15;
const RESERVED_HEADERS: ReadonlySet<string> = new Set(Object.values(HonoHeader));
const WELL_KNOWN_TYPES: ReadonlySet<string> = new Set([
  HonoContentType.EmptyNotification,
  HonoContentType.ConnectionNotification,
  HonoContentType.ProvisioningNotification,
]);

/**
 * What every encoder takes: who sent the event, when, and the optional Hono headers.
 *
 * @category Wire format
 */
export interface HonoEventInitBase {
  /** The tenant; the record goes to its topic. */
  readonly tenantId: string;
  /** The device; written as the record key and as the `device_id` header. */
  readonly deviceId: string;
  /**
   * The topic to write to.
   *
   * @defaultValue `'event'`
   */
  readonly endpoint?: HonoEndpoint | undefined;
  /**
   * The `creation-time` header, as a Date or ms since the Unix epoch.
   *
   * @defaultValue the current time, as Hono's sender does
   */
  readonly creationTime?: Date | number | undefined;
  /**
   * The `qos` header.
   *
   * @defaultValue `1` (at least once; Hono writes `1` on every event)
   */
  readonly qos?: QoS | undefined;
  /**
   * The `ttd` header in seconds: `-1` until further notice, `0` not reachable, or a positive window.
   *
   * @defaultValue no `ttd` header
   */
  readonly ttd?: number | undefined;
  /**
   * The `ttl` header in ms.
   *
   * @defaultValue no `ttl` header
   */
  readonly ttl?: number | undefined;
  /**
   * The `orig_adapter` header, e.g. `hono-mqtt`.
   *
   * @defaultValue no `orig_adapter` header
   */
  readonly origAdapter?: string | undefined;
  /**
   * The `orig_address` header, e.g. `/telemetry`.
   *
   * @defaultValue no `orig_address` header
   */
  readonly origAddress?: string | undefined;
  /**
   * Whether to write `x-opt-retain: true` (an MQTT retained message).
   *
   * @defaultValue `false`: no `x-opt-retain` header
   */
  readonly retain?: boolean | undefined;
  /**
   * The W3C `traceparent` header.
   *
   * @defaultValue no `traceparent` header
   */
  readonly traceparent?: string | undefined;
  /**
   * The W3C `tracestate` header.
   *
   * @defaultValue no `tracestate` header
   */
  readonly tracestate?: string | undefined;
  /**
   * The W3C `baggage` header.
   *
   * @defaultValue no `baggage` header
   */
  readonly baggage?: string | undefined;
  /**
   * Further headers, such as tenant or device defaults, written after Hono's own. Strings are written
   * raw, numbers and booleans as JSON text; a JSON object can be passed as its `JSON.stringify` text.
   * Names of the headers listed in {@link HonoHeader} are rejected.
   *
   * @defaultValue none
   */
  readonly extraHeaders?: Readonly<Record<string, string | number | boolean>> | undefined;
  /**
   * The record timestamp (ms since the Unix epoch).
   *
   * @defaultValue none: the producer stamps the record
   */
  readonly timestamp?: number | undefined;
}

/**
 * What {@link encodeEmptyNotification} takes.
 *
 * @category Wire format
 */
export type EmptyNotificationInit = HonoEventInitBase;

/**
 * What {@link encodeConnectionEvent} takes.
 *
 * @category Wire format
 */
export interface ConnectionEventInit extends HonoEventInitBase {
  /** Whether the device connected or disconnected. */
  readonly cause: ConnectionCause;
  /** The payload's `remote-id`, e.g. an MQTT client id. */
  readonly remoteId: string;
  /** The payload's `source`: the adapter type, e.g. `hono-mqtt`. */
  readonly source: string;
  /**
   * The payload's `data` object.
   *
   * @defaultValue no `data` field
   */
  readonly data?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * What {@link encodeProvisioningNotification} takes.
 *
 * @category Wire format
 */
export interface ProvisioningNotificationInit extends HonoEventInitBase {
  /**
   * The `hono_registration_status` header.
   *
   * @defaultValue `'NEW'`
   */
  readonly registrationStatus?: string | undefined;
  /**
   * The `gateway_id` header: the gateway the device was provisioned through.
   *
   * @defaultValue no `gateway_id` header
   */
  readonly gatewayId?: string | undefined;
}

/**
 * What {@link encodeDataEvent} takes.
 *
 * @category Wire format
 */
export interface DataEventInit extends HonoEventInitBase {
  /**
   * The payload; a string is written as UTF-8.
   *
   * @defaultValue a zero-length value
   */
  readonly payload?: Buffer | Uint8Array | string | undefined;
  /**
   * The `content-type` header. Hono's own well-known types are rejected: use their encoders.
   *
   * @defaultValue `'application/octet-stream'`, as Hono's sender writes when none is known
   */
  readonly contentType?: string | undefined;
  /**
   * The `content-encoding` header, e.g. `gzip`.
   *
   * @defaultValue no `content-encoding` header
   */
  readonly contentEncoding?: string | undefined;
}

/**
 * Any event to encode, discriminated by `type` like {@link HonoEvent}. A decoded event is a valid init,
 * so `encodeEvent(decodeEvent(record))` writes the Hono headers of the record again.
 *
 * @category Wire format
 */
export type HonoEventInit =
  | ({
      /** An empty notification, see {@link encodeEmptyNotification}. */
      readonly type: typeof HonoEventType.EmptyNotification;
    } & EmptyNotificationInit)
  | ({
      /** A connection event, see {@link encodeConnectionEvent}. */
      readonly type: typeof HonoEventType.Connection;
    } & ConnectionEventInit)
  | ({
      /** A provisioning notification, see {@link encodeProvisioningNotification}. */
      readonly type: typeof HonoEventType.Provisioning;
    } & ProvisioningNotificationInit)
  | ({
      /** Any other event, see {@link encodeDataEvent}. */
      readonly type: typeof HonoEventType.Event;
    } & DataEventInit);

const text = (value: string): Buffer => Buffer.from(value, 'utf8');

function checkText(field: string, value: unknown, nonEmpty = false): void {
  if (typeof value !== 'string' || (nonEmpty && value.length === 0)) {
    throw new EncodeError(field, `${field} must be a ${nonEmpty ? 'non-empty ' : ''}string`);
  }
}

function checkInteger(field: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new EncodeError(field, `${field} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
}

function creationTimeMs(creationTime: Date | number | undefined): number {
  if (creationTime === undefined) return Date.now();
  const ms = creationTime instanceof Date ? creationTime.getTime() : creationTime;
  checkInteger('creationTime', ms, -MAX_DATE_MS, MAX_DATE_MS);
  return ms;
}

/** Writes the record with Hono's standard headers, then the kind's own, then the trace context and extras. */
function encode(
  init: HonoEventInitBase,
  contentType: string,
  value: Buffer | null,
  kindHeaders: readonly (readonly [string, string | undefined])[],
): EncodedRecord {
  const topic = honoTopic(init.endpoint ?? HonoEndpoint.Event, init.tenantId);
  checkText('deviceId', init.deviceId, true);
  const qos: number = init.qos ?? QoS.AtLeastOnce; // widened: JavaScript callers may pass anything
  if (qos !== QoS.AtMostOnce && qos !== QoS.AtLeastOnce) throw new EncodeError('qos', 'qos must be 0 or 1');
  if (init.ttd !== undefined) checkInteger('ttd', init.ttd, -1, MAX_TTD);
  if (init.ttl !== undefined) checkInteger('ttl', init.ttl, 0, Number.MAX_SAFE_INTEGER);

  const headers: Record<string, Buffer>[] = [];
  const add = (name: string, headerValue: string | undefined): void => {
    if (headerValue !== undefined) headers.push({ [name]: text(headerValue) });
  };
  add(HonoHeader.ContentType, contentType);
  add(HonoHeader.DeviceId, init.deviceId);
  add(HonoHeader.Qos, String(qos));
  add(HonoHeader.CreationTime, String(creationTimeMs(init.creationTime)));
  add(HonoHeader.Ttd, init.ttd === undefined ? undefined : String(init.ttd));
  add(HonoHeader.Ttl, init.ttl === undefined ? undefined : String(init.ttl));
  add(HonoHeader.OrigAdapter, init.origAdapter);
  add(HonoHeader.OrigAddress, init.origAddress);
  if (init.retain === true) add(HonoHeader.Retain, 'true');
  for (const [name, headerValue] of kindHeaders) add(name, headerValue);
  add(HonoHeader.Traceparent, init.traceparent);
  add(HonoHeader.Tracestate, init.tracestate);
  add(HonoHeader.Baggage, init.baggage);
  for (const [name, headerValue] of Object.entries(init.extraHeaders ?? {})) {
    if (RESERVED_HEADERS.has(name)) {
      throw new EncodeError(
        'extraHeaders',
        `extraHeaders must not set Hono's own header ${JSON.stringify(name)}`,
      );
    }
    if (typeof headerValue === 'number' && !Number.isFinite(headerValue)) {
      throw new EncodeError('extraHeaders', `extraHeaders.${name} must be a finite number`);
    }
    add(name, typeof headerValue === 'string' ? headerValue : JSON.stringify(headerValue));
  }
  // An empty payload must reach the broker as an empty value, not as null: see wireValue().
  const record: EncodedRecord = { topic, key: text(init.deviceId), value: wireValue(value), headers };
  if (init.timestamp !== undefined) record.timestamp = init.timestamp;
  return record;
}

/**
 * Encodes an empty notification as Hono's protocol adapters write it: a `null` value, content type
 * `application/vnd.eclipse-hono-empty-notification`, and usually a `ttd`.
 *
 * @param init - Tenant, device, `ttd` and the other headers.
 * @returns The record, ready for the Kafka client's producer.
 * @throws {@link TenantError} if the tenant id cannot be a topic suffix.
 * @throws {@link EncodeError} if a field holds a value Hono never writes (e.g. a fractional `ttd`).
 * @example
 * ```ts
 * // A device subscribed to commands: reachable until further notice.
 * const record = encodeEmptyNotification({ tenantId: 'acme', deviceId: '4711', ttd: -1, origAdapter: 'hono-mqtt' });
 * ```
 * @category Wire format
 */
export function encodeEmptyNotification(init: EmptyNotificationInit): EncodedRecord {
  return encode(init, HonoContentType.EmptyNotification, null, []);
}

/**
 * Encodes a connection event: content type `application/vnd.eclipse-hono-dc-notification+json` and the
 * JSON object `{"cause", "remote-id", "source", "data"}` as value.
 *
 * @param init - Tenant, device, the payload fields and the headers.
 * @returns The record, ready for the Kafka client's producer.
 * @throws {@link TenantError} if the tenant id cannot be a topic suffix.
 * @throws {@link EncodeError} if a field holds a value Hono never writes, e.g. a `cause` other than
 *   `connected` or `disconnected`, or a `data` that is no object.
 * @example
 * ```ts
 * const record = encodeConnectionEvent({
 *   tenantId: 'acme',
 *   deviceId: '4711',
 *   cause: 'connected',
 *   remoteId: 'mqtt-client-4711',
 *   source: 'hono-mqtt',
 * });
 * ```
 * @category Wire format
 */
export function encodeConnectionEvent(init: ConnectionEventInit): EncodedRecord {
  checkEventOnly(init, 'connection events');
  const cause: string = init.cause; // widened: JavaScript callers may pass anything
  if (cause !== ConnectionCause.Connected && cause !== ConnectionCause.Disconnected) {
    throw new EncodeError('cause', "cause must be 'connected' or 'disconnected'");
  }
  checkText('remoteId', init.remoteId);
  checkText('source', init.source);
  const { data } = init;
  if (data !== undefined && (typeof data !== 'object' || (data as unknown) === null || Array.isArray(data))) {
    throw new EncodeError('data', 'data must be a JSON object');
  }
  const payload = { cause: init.cause, 'remote-id': init.remoteId, source: init.source, data };
  return encode(init, HonoContentType.ConnectionNotification, text(JSON.stringify(payload)), []);
}

/** Hono writes connection events and provisioning notifications to the event topic only. */
function checkEventOnly(init: HonoEventInitBase, what: string): void {
  if (init.endpoint === HonoEndpoint.Telemetry) {
    throw new EncodeError('endpoint', `Hono writes ${what} to hono.event.<tenant> only, never to telemetry`);
  }
}

/**
 * Encodes a device provisioning notification as Hono's device registry writes it: a `null` value and the
 * headers `hono_registration_status`, `tenant_id` and `gateway_id`.
 *
 * @param init - Tenant, device, status, gateway and the headers.
 * @returns The record, ready for the Kafka client's producer.
 * @throws {@link TenantError} if the tenant id cannot be a topic suffix.
 * @throws {@link EncodeError} if a field holds a value Hono never writes, e.g. an empty
 *   `registrationStatus`.
 * @example
 * ```ts
 * const record = encodeProvisioningNotification({ tenantId: 'acme', deviceId: 'sensor-1', gatewayId: 'gw-1' });
 * ```
 * @category Wire format
 */
export function encodeProvisioningNotification(init: ProvisioningNotificationInit): EncodedRecord {
  checkEventOnly(init, 'provisioning notifications');
  const registrationStatus = init.registrationStatus ?? 'NEW';
  checkText('registrationStatus', registrationStatus, true);
  return encode(init, HonoContentType.ProvisioningNotification, null, [
    [HonoHeader.TenantId, init.tenantId],
    [HonoHeader.RegistrationStatus, registrationStatus],
    [HonoHeader.GatewayId, init.gatewayId],
  ]);
}

/**
 * Encodes any other event or telemetry message: the payload as value, its `content-type` and optional
 * `content-encoding`.
 *
 * @param init - Tenant, device, payload, content type and the headers.
 * @returns The record, ready for the Kafka client's producer.
 * @throws {@link TenantError} if the tenant id cannot be a topic suffix.
 * @throws {@link EncodeError} if a field holds a value Hono never writes, or the content type is one of
 *   Hono's well-known types.
 * @example
 * ```ts
 * const record = encodeDataEvent({
 *   tenantId: 'acme',
 *   deviceId: '4711',
 *   endpoint: 'telemetry',
 *   qos: 0,
 *   contentType: 'application/json',
 *   payload: JSON.stringify({ temp: 21.5 }),
 * });
 * producer.produce(record.topic, null, record.value, record.key, record.timestamp, undefined, record.headers);
 * ```
 * @category Wire format
 */
export function encodeDataEvent(init: DataEventInit): EncodedRecord {
  const contentType = init.contentType ?? HonoContentType.OctetStream;
  checkText('contentType', contentType);
  if (WELL_KNOWN_TYPES.has(contentType)) {
    throw new EncodeError('contentType', `${contentType} has an encoder of its own`);
  }
  const { payload } = init;
  const value =
    payload === undefined
      ? Buffer.alloc(0)
      : typeof payload === 'string'
        ? text(payload)
        : Buffer.isBuffer(payload)
          ? payload
          : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  return encode(init, contentType, value, [[HonoHeader.ContentEncoding, init.contentEncoding]]);
}

/**
 * Encodes any kind of Hono event, chosen by `type`; the inverse of {@link decodeEvent}.
 *
 * @param init - The event, discriminated by `type`; a decoded {@link HonoEvent} will do.
 * @returns The record, ready for the Kafka client's producer.
 * @throws {@link TenantError} if the tenant id cannot be a topic suffix.
 * @throws {@link EncodeError} if a field holds a value Hono never writes.
 * @example
 * ```ts
 * const record = encodeEvent({ type: 'emptyNotification', tenantId: 'acme', deviceId: '4711', ttd: 60 });
 * const event = decodeEvent({ ...record, partition: 0, offset: 0 });
 * ```
 * @category Wire format
 */
export function encodeEvent(init: HonoEventInit): EncodedRecord {
  switch (init.type) {
    case HonoEventType.EmptyNotification:
      return encodeEmptyNotification(init);
    case HonoEventType.Connection:
      return encodeConnectionEvent(init);
    case HonoEventType.Provisioning:
      return encodeProvisioningNotification(init);
    case HonoEventType.Event:
      return encodeDataEvent(init);
    default:
      // Only reachable from JavaScript, or with a type the union does not know.
      throw new EncodeError(
        'type',
        `type must be one of ${Object.values(HonoEventType).join(', ')}, got ${String((init as { type?: unknown }).type)}`,
      );
  }
}
