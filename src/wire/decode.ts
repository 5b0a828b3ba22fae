/**
 * Decoding a Kafka record from a Hono event or telemetry topic into a typed {@link HonoEvent}.
 *
 * @module
 */
import { DecodeError, DecodeErrorCode } from '../errors.js';
import { parseHonoTopic } from '../tenant.js';
import { connectionPayloadSchema } from './connection-schema.js';
import { headerBoolean, headerInteger, headerText, scanHeaders, type ScannedHeaders } from './headers.js';
import {
  HonoContentType,
  HonoEventType,
  QoS,
  type ConnectionEvent,
  type HonoEvent,
  type HonoEventBase,
} from './types.js';
import type { KafkaHeaderValue, KafkaRecord, KafkaRecordHeader } from '../types.js';

const EMPTY_HEADERS: readonly KafkaRecordHeader[] = Object.freeze([]);
/** Shared zero-length payload: nothing can be written into it. */
const EMPTY_PAYLOAD = Buffer.alloc(0);
/** The largest |ms| a Date can hold. */
const MAX_DATE_MS = 8.64e15;
/** Java's Integer.MAX_VALUE: Hono reads `ttd` as an int. */
const MAX_TTD = 2_147_483_647;

// The well-known content types as bytes: a record of one of them is classified without decoding the header.
const EMPTY_NOTIFICATION_TYPE = Buffer.from(HonoContentType.EmptyNotification, 'utf8');
const CONNECTION_TYPE = Buffer.from(HonoContentType.ConnectionNotification, 'utf8');
const PROVISIONING_TYPE = Buffer.from(HonoContentType.ProvisioningNotification, 'utf8');

const TELEMETRY_PREFIX = 'hono.telemetry.';

const Kind = { Empty: 0, Connection: 1, Provisioning: 2, Other: 3 } as const;
type Kind = (typeof Kind)[keyof typeof Kind];

/** Classifies a record by its `content-type`; exact match, as Hono compares it. */
function kindOf(contentType: KafkaHeaderValue | undefined): Kind {
  if (contentType === undefined) return Kind.Other;
  if (typeof contentType === 'string') {
    return contentType === HonoContentType.EmptyNotification
      ? Kind.Empty
      : contentType === HonoContentType.ConnectionNotification
        ? Kind.Connection
        : contentType === HonoContentType.ProvisioningNotification
          ? Kind.Provisioning
          : Kind.Other;
  }
  // Buffer.equals compares the lengths first, and the three lengths differ.
  if (contentType.equals(EMPTY_NOTIFICATION_TYPE)) return Kind.Empty;
  if (contentType.equals(CONNECTION_TYPE)) return Kind.Connection;
  if (contentType.equals(PROVISIONING_TYPE)) return Kind.Provisioning;
  return Kind.Other;
}

function where(record: KafkaRecord): string {
  return `record ${record.topic}[${record.partition}]@${record.offset}`;
}

function fail(
  code: DecodeErrorCode,
  record: KafkaRecord,
  problem: string,
  options?: { header?: string; field?: string; cause?: unknown },
): DecodeError {
  return new DecodeError(code, `Cannot decode ${where(record)}: ${problem}`, record, options);
}

function quote(value: KafkaHeaderValue): string {
  const text = headerText(value);
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

function badHeader(
  record: KafkaRecord,
  header: string,
  value: KafkaHeaderValue,
  expected: string,
): DecodeError {
  const problem = `header "${header}" must be ${expected}, got ${quote(value)}`;
  return fail(DecodeErrorCode.BadHeader, record, problem, { header });
}

function checkShape(record: KafkaRecord): void {
  if (typeof record !== 'object' || (record as unknown) === null) {
    throw new DecodeError(DecodeErrorCode.MalformedRecord, 'Malformed record: not an object', record);
  }
  const { topic, partition, offset, key, value, timestamp } = record as unknown as Record<string, unknown>;
  let problem: string | undefined;
  if (typeof topic !== 'string') problem = 'topic is not a string';
  else if (typeof partition !== 'number') problem = 'partition is not a number';
  else if (typeof offset !== 'number') problem = 'offset is not a number';
  else if (value !== null && value !== undefined && !Buffer.isBuffer(value)) {
    problem = 'value is neither a Buffer nor null';
  } else if (key !== null && key !== undefined && typeof key !== 'string' && !Buffer.isBuffer(key)) {
    problem = 'key is neither a Buffer, a string nor null';
  } else if (timestamp !== undefined && timestamp !== null && typeof timestamp !== 'number') {
    problem = 'timestamp is not a number';
  }
  if (problem !== undefined) {
    throw new DecodeError(DecodeErrorCode.MalformedRecord, `Malformed record: ${problem}`, record);
  }
}

function isEmpty(value: Buffer | null | undefined): boolean {
  return value === null || value === undefined || value.length === 0;
}

function deviceIdOf(record: KafkaRecord, headers: ScannedHeaders): string {
  const key = record.key;
  const header = headers.deviceId;
  const hasKey = key !== null && key !== undefined && key.length > 0;
  const hasHeader = header !== undefined && header.length > 0;
  if (hasKey && hasHeader) {
    // Equal bytes: decode once. Otherwise compare the texts (one side may be a string).
    if (Buffer.isBuffer(key) && Buffer.isBuffer(header) && key.equals(header)) return key.toString('utf8');
    const fromKey = headerText(key);
    const fromHeader = headerText(header);
    if (fromKey !== fromHeader) {
      throw fail(
        DecodeErrorCode.DeviceIdMismatch,
        record,
        `the key names device ${quote(fromKey)} but the device_id header names ${quote(fromHeader)}`,
        { header: 'device_id' },
      );
    }
    return fromKey;
  }
  if (hasKey) return headerText(key);
  if (hasHeader) return headerText(header);
  throw fail(
    DecodeErrorCode.MissingDeviceId,
    record,
    'neither the key nor a device_id header names the device',
    {
      header: 'device_id',
    },
  );
}

function creationTimeOf(record: KafkaRecord, headers: ScannedHeaders): Date {
  const raw = headers.creationTime;
  if (raw !== undefined) {
    const ms = headerInteger(raw);
    if (ms === undefined || Math.abs(ms) > MAX_DATE_MS) {
      throw badHeader(record, 'creation-time', raw, 'a JSON integer (ms since the Unix epoch)');
    }
    return new Date(ms);
  }
  const timestamp = record.timestamp;
  if (typeof timestamp === 'number' && Number.isSafeInteger(timestamp) && timestamp >= 0) {
    return new Date(timestamp);
  }
  throw fail(DecodeErrorCode.MissingHeader, record, 'no creation-time header and no record timestamp', {
    header: 'creation-time',
  });
}

function optionalText(value: KafkaHeaderValue | undefined): string | undefined {
  return value === undefined ? undefined : headerText(value);
}

/**
 * The fields every kind carries, `type` first, in one object literal; the kinds add theirs with
 * `Object.assign`. (Object spread is several times slower here: see the decode benchmark.)
 */
function baseOf<Type extends HonoEventType>(
  type: Type,
  record: KafkaRecord,
  headers: ScannedHeaders,
): HonoEventBase & { readonly type: Type } {
  const topic = parseHonoTopic(record.topic);
  if (topic === undefined) {
    throw fail(
      DecodeErrorCode.NotHonoTopic,
      record,
      'the topic is not hono.event.<tenant> or hono.telemetry.<tenant> with a valid tenant id',
    );
  }
  if (headers.tenantId !== undefined) {
    const tenantId = headerText(headers.tenantId);
    if (tenantId !== topic.tenantId) {
      throw fail(
        DecodeErrorCode.TenantMismatch,
        record,
        `the topic is of tenant ${quote(topic.tenantId)} but the tenant_id header names ${quote(tenantId)}`,
        { header: 'tenant_id' },
      );
    }
  }
  const deviceId = deviceIdOf(record, headers);
  const creationTime = creationTimeOf(record, headers);

  let qos: QoS = QoS.AtLeastOnce;
  if (headers.qos !== undefined) {
    const value = headerInteger(headers.qos);
    if (value === undefined) throw badHeader(record, 'qos', headers.qos, 'a JSON integer (0 or 1)');
    if (value === 0) qos = QoS.AtMostOnce;
  }
  let ttd: number | undefined;
  if (headers.ttd !== undefined) {
    ttd = headerInteger(headers.ttd);
    if (ttd === undefined || ttd < -1 || ttd > MAX_TTD) {
      throw badHeader(record, 'ttd', headers.ttd, 'a JSON integer of seconds, -1 or more');
    }
  }
  let ttl: number | undefined;
  if (headers.ttl !== undefined) {
    ttl = headerInteger(headers.ttl);
    if (ttl === undefined || ttl < 0) {
      throw badHeader(record, 'ttl', headers.ttl, 'a JSON integer of ms, 0 or more');
    }
  }
  let retain = false;
  if (headers.retain !== undefined) {
    const value = headerBoolean(headers.retain);
    if (value === undefined) throw badHeader(record, 'x-opt-retain', headers.retain, 'a JSON boolean');
    retain = value;
  }
  const key = record.key;
  return {
    type,
    endpoint: topic.endpoint,
    tenantId: topic.tenantId,
    deviceId,
    creationTime,
    qos,
    ttd,
    ttl,
    origAdapter: optionalText(headers.origAdapter),
    origAddress: optionalText(headers.origAddress),
    retain,
    traceparent: optionalText(headers.traceparent),
    tracestate: optionalText(headers.tracestate),
    baggage: optionalText(headers.baggage),
    headers: record.headers ?? EMPTY_HEADERS,
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp ?? undefined,
    key: typeof key === 'string' ? Buffer.from(key, 'utf8') : (key ?? null),
  };
}

function decodeConnection(
  record: KafkaRecord,
  base: HonoEventBase & { readonly type: 'connection' },
): ConnectionEvent {
  const value = record.value;
  if (value === null || value.length === 0) {
    const problem = 'a connection event needs a JSON object as value';
    throw fail(DecodeErrorCode.BadConnectionPayload, record, problem, { field: '' });
  }
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (error) {
    throw fail(DecodeErrorCode.BadConnectionPayload, record, 'the connection event value is no valid JSON', {
      field: '',
      cause: error,
    });
  }
  const result = connectionPayloadSchema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues;
    const field = issues[0]?.path.join('.') ?? '';
    const details = issues
      .map((issue) => `${issue.path.join('.') || '(value)'}: ${issue.message}`)
      .join('; ');
    throw fail(DecodeErrorCode.BadConnectionPayload, record, `bad connection event payload: ${details}`, {
      field,
      cause: result.error,
    });
  }
  const payload = result.data;
  return Object.assign(base, {
    cause: payload.cause,
    remoteId: payload['remote-id'],
    source: payload.source,
    data: payload.data,
  });
}

/**
 * Decodes a Kafka record from `hono.event.<tenant>` or `hono.telemetry.<tenant>` into a typed Hono event.
 *
 * The kind follows the `content-type` header: an empty notification, a connection event, a device
 * provisioning notification, or any other event (`type: 'event'`, with its payload). Hono writes connection
 * events and provisioning notifications to `hono.event.<tenant>` only: on a telemetry topic a record with
 * their content type is decoded as any other event (a device's data, with that content type). Header values are
 * read the way Hono writes them (strings as raw UTF-8, numbers and booleans as JSON text), and the first
 * of repeated headers wins. What is strict and what is lenient is listed in `docs/decoding.md`.
 *
 * Whatever the bytes, this returns an event or throws a {@link DecodeError}, nothing else. It is pure:
 * the record is not modified and its header array is shared, not copied.
 *
 * @param record - A record as the Kafka client's consumer delivers it.
 * @returns The decoded event, discriminated by `type`.
 * @throws {@link DecodeError} with a {@link DecodeErrorCode} if the record is no valid Hono event.
 * @example
 * ```ts
 * const event = decodeEvent(message);
 * switch (event.type) {
 *   case 'emptyNotification':
 *     if (isDeviceReachable(event)) await sendCommand(event.tenantId, event.deviceId);
 *     break;
 *   case 'connection':
 *     console.log(event.deviceId, event.cause, event.remoteId);
 *     break;
 *   case 'provisioning':
 *     console.log('new device', event.deviceId, 'via', event.gatewayId);
 *     break;
 *   case 'event':
 *     console.log(event.contentType, event.payload.toString());
 *     break;
 * }
 * ```
 * @category Wire format
 */
export function decodeEvent(record: KafkaRecord): HonoEvent {
  checkShape(record);
  const headers = scanHeaders(record);
  let kind = kindOf(headers.contentType);
  // Hono writes connection events and provisioning notifications to the event topic only: on a telemetry
  // topic a record with their content type is a device's data (it could not be trusted as Hono's own).
  if ((kind === Kind.Connection || kind === Kind.Provisioning) && record.topic.startsWith(TELEMETRY_PREFIX)) {
    kind = Kind.Other;
  }
  switch (kind) {
    case Kind.Empty: {
      const event = baseOf(HonoEventType.EmptyNotification, record, headers);
      if (!isEmpty(record.value)) {
        throw fail(DecodeErrorCode.UnexpectedPayload, record, 'an empty notification must have no value');
      }
      return event;
    }
    case Kind.Connection:
      return decodeConnection(record, baseOf(HonoEventType.Connection, record, headers));
    case Kind.Provisioning: {
      const base = baseOf(HonoEventType.Provisioning, record, headers);
      if (!isEmpty(record.value)) {
        throw fail(
          DecodeErrorCode.UnexpectedPayload,
          record,
          'a provisioning notification must have no value',
        );
      }
      if (headers.registrationStatus === undefined || headers.registrationStatus.length === 0) {
        throw fail(
          DecodeErrorCode.MissingHeader,
          record,
          'a provisioning notification needs a hono_registration_status header',
          { header: 'hono_registration_status' },
        );
      }
      return Object.assign(base, {
        registrationStatus: headerText(headers.registrationStatus),
        gatewayId: optionalText(headers.gatewayId),
      });
    }
    case Kind.Other:
      return Object.assign(baseOf(HonoEventType.Event, record, headers), {
        payload: record.value ?? EMPTY_PAYLOAD,
        contentType: optionalText(headers.contentType) ?? HonoContentType.OctetStream,
        contentEncoding: optionalText(headers.contentEncoding),
      });
  }
}
