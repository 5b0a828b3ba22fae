/**
 * Hono's Command & Control records on Kafka: commands (`hono.command.<tenant>`) as Hono's
 * `KafkaBasedCommandSender` writes them, and command responses (`hono.command_response.<tenant>`) as
 * devices (through a protocol adapter) and Hono itself (delivery failures) write them.
 *
 * Encoders and decoders for both directions: the command client encodes commands and decodes
 * responses; the Hono simulator (`eclipse-hono-kafka/testing`) decodes commands and encodes responses.
 *
 * Byte for byte as Hono writes them: header values as `KafkaRecordHelper.createKafkaHeader` encodes them
 * (strings as raw UTF-8, numbers and booleans as JSON text), and the headers in Hono's order. Hono puts
 * its headers into a `java.util.HashMap` and writes them in that map's iteration order, then appends
 * `creation-time` (and the trace context); the encoders reproduce that order.
 *
 * @module
 */
import { EncodeError, InvalidCommandError } from '../errors.js';
import { commandResponseTopic, commandTopic } from '../tenant.js';
import { wireValue } from './bytes.js';
import { Header, LONE_SURROGATE, MAX_DATE_MS, OCTET_STREAM, RESPONSE_HEADERS } from './command-headers.js';
import {
  type CommandInit,
  type CommandResponseInit,
  type DecodedCommand,
  type DeliveryFailureInit,
  deliveryFailureContentType,
  deliveryFailureMetadataPrefix,
  type RequestCommandInit,
} from './command-types.js';
import { javaHashMapOrder } from './java-hash-map.js';
import type { EncodedRecord } from './types.js';

export * from './command-types.js';
export { decodeCommand, decodeCommandResponse } from './command-decode.js';

type Refuse = (field: string, message: string) => Error;
const refuseCommand: Refuse = (field, message) => new InvalidCommandError(field, message);
const refuseResponse: Refuse = (field, message) => new EncodeError(field, message);

const utf8 = (value: string): Buffer => Buffer.from(value, 'utf8');

function checkText(refuse: Refuse, field: string, value: unknown, nonEmpty: boolean): string {
  if (typeof value !== 'string') throw refuse(field, `${field} must be a string, got ${typeof value}`);
  if (nonEmpty && value.length === 0) throw refuse(field, `${field} must not be empty`);
  if (LONE_SURROGATE.test(value)) {
    throw refuse(field, `${field} has a lone UTF-16 surrogate, which UTF-8 cannot carry`);
  }
  return value;
}

function checkInteger(refuse: Refuse, field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw refuse(field, `${field} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

function checkStatus(refuse: Refuse, value: unknown, deviceStatus: boolean): number {
  const valid =
    typeof value === 'number' &&
    Number.isInteger(value) &&
    ((value >= 400 && value <= 599) || (deviceStatus && value >= 200 && value <= 299));
  if (!valid) {
    const range = deviceStatus ? '200-299 or 400-599' : '400-599';
    throw refuse('status', `status must be an integer in ${range}, got ${String(value)}`);
  }
  return value;
}

function payloadValue(refuse: Refuse, payload: unknown): Buffer | null {
  if (payload === undefined) return null;
  if (typeof payload === 'string') return utf8(checkText(refuse, 'payload', payload, false));
  if (Buffer.isBuffer(payload)) return payload;
  throw refuse('payload', 'payload must be a Buffer or a string');
}

function creationTimeOf(refuse: Refuse, creationTime: unknown): string {
  if (creationTime === undefined) return String(Date.now());
  return String(checkInteger(refuse, 'creationTime', creationTime, -MAX_DATE_MS, MAX_DATE_MS));
}

function stringEntries(refuse: Refuse, field: string, record: unknown): [string, string][] {
  if (record === undefined) return [];
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    throw refuse(field, `${field} must be an object of strings`);
  }
  return Object.entries(record as Record<string, unknown>).map(([name, value]) => {
    checkText(refuse, field, name, false);
    return [name, checkText(refuse, `${field}.${name}`, value, false)];
  });
}

/** The headers of a record in Hono's order: the HashMap's keys, then creation-time, then the trace context. */
function recordOf(
  topic: string,
  deviceId: string,
  value: Buffer | null,
  map: ReadonlyMap<string, string>,
  order: readonly string[],
  trailer: readonly (readonly [string, string | undefined])[],
): EncodedRecord {
  const headers: Record<string, Buffer>[] = [];
  for (const name of order) headers.push({ [name]: utf8(map.get(name) ?? '') });
  for (const [name, text] of trailer) if (text !== undefined) headers.push({ [name]: utf8(text) });
  return { topic, key: utf8(deviceId), value: value === null ? null : wireValue(value), headers };
}

function encodeCommand(
  init: CommandInit,
  correlationId: string | undefined,
  metadata: unknown,
): EncodedRecord {
  const refuse = refuseCommand;
  const topic = commandTopic(init.tenantId);
  const deviceId = checkText(refuse, 'deviceId', init.deviceId, true);
  const name = checkText(refuse, 'name', init.name, true);
  const value = payloadValue(refuse, init.payload);
  const contentType =
    init.contentType === undefined ? undefined : checkText(refuse, 'contentType', init.contentType, true);
  const ttl =
    init.ttlMs === undefined
      ? undefined
      : checkInteger(refuse, 'ttlMs', init.ttlMs, 0, Number.MAX_SAFE_INTEGER);
  const creationTime = creationTimeOf(refuse, init.creationTime);
  const traceparent =
    init.traceparent === undefined ? undefined : checkText(refuse, 'traceparent', init.traceparent, true);
  const tracestate =
    init.tracestate === undefined ? undefined : checkText(refuse, 'tracestate', init.tracestate, false);

  // KafkaBasedCommandSender.getHeaderProperties: put in this order into a new HashMap.
  const map = new Map<string, string>();
  map.set(Header.DeviceId, deviceId);
  map.set(Header.Subject, name);
  if (contentType !== undefined) map.set(Header.ContentType, contentType);
  if (correlationId !== undefined) map.set(Header.CorrelationId, correlationId);
  map.set(Header.ResponseRequired, correlationId === undefined ? 'false' : 'true');
  // Not written by Hono's sender: the SDK puts it into the same map, as a property would be.
  if (ttl !== undefined) map.set(Header.Ttl, String(ttl));
  for (const [key, text] of stringEntries(refuse, 'failureMetadata', metadata)) {
    map.set(`${deliveryFailureMetadataPrefix}.${key}`, text);
  }
  return recordOf(topic, deviceId, value, map, javaHashMapOrder([], [...map.keys()]), [
    [Header.CreationTime, creationTime],
    [Header.Traceparent, traceparent],
    [Header.Tracestate, tracestate],
  ]);
}

/**
 * Encodes a one-way command as Hono's `KafkaBasedCommandSender.sendOneWayCommand` writes it: key and
 * `device_id` the device, `subject` the name, `response-required: false`, `content-type` only when
 * given, `creation-time` last.
 *
 * @param init - Tenant, device, name, payload and the optional headers.
 * @returns The record for `hono.command.<tenant>`, ready for the Kafka client's producer.
 * @throws {@link TenantError} if the tenant id cannot be a topic suffix.
 * @throws {@link InvalidCommandError} for an empty device id or name, a bad `ttlMs` or payload, and
 *   anything else Hono would drop or reject.
 * @example
 * ```ts
 * const record = encodeOneWayCommand({ tenantId: 'acme', deviceId: '4711', name: 'setVolume', payload: '{"level":3}', contentType: 'application/json' });
 * ```
 * @category Commands
 */
export function encodeOneWayCommand(init: CommandInit): EncodedRecord {
  return encodeCommand(init, undefined, undefined);
}

/**
 * Encodes a request/response command as Hono's `KafkaBasedCommandSender.sendCommand` writes it: like
 * {@link encodeOneWayCommand} plus `correlation-id`, `response-required: true` and one
 * `delivery-failure-notification-metadata.<key>` header per metadata entry.
 *
 * @param init - The command, its correlation id and the failure metadata.
 * @returns The record for `hono.command.<tenant>`, ready for the Kafka client's producer.
 * @throws {@link TenantError} if the tenant id cannot be a topic suffix.
 * @throws {@link InvalidCommandError} for an empty device id, name or correlation id, metadata that is
 *   not strings, and the problems {@link encodeOneWayCommand} refuses.
 * @example
 * ```ts
 * const record = encodeRequestCommand({ tenantId: 'acme', deviceId: '4711', name: 'getState', correlationId: randomUUID() });
 * ```
 * @category Commands
 */
export function encodeRequestCommand(init: RequestCommandInit): EncodedRecord {
  const correlationId = checkText(refuseCommand, 'correlationId', init.correlationId, true);
  return encodeCommand(init, correlationId, init.failureMetadata);
}

function encodeResponse(
  init: { readonly tenantId: string; readonly deviceId: string; readonly correlationId: string },
  status: number,
  contentType: string | undefined,
  value: Buffer | null,
  ttl: number | undefined,
  creationTime: unknown,
  additional: readonly string[][],
  additionalSource: readonly string[],
): EncodedRecord {
  const refuse = refuseResponse;
  const topic = commandResponseTopic(init.tenantId);
  const deviceId = checkText(refuse, 'deviceId', init.deviceId, true);
  const correlationId = checkText(refuse, 'correlationId', init.correlationId, true);
  const created = creationTimeOf(refuse, creationTime);
  // KafkaBasedCommandResponseSender.getHeaders: DownstreamMessageProperties (the additional properties,
  // then the ttl) in a new HashMap, then these puts.
  const map = new Map<string, string>(additional.map(([name = '', text = '']) => [name, text]));
  if (ttl !== undefined) map.set(Header.Ttl, String(ttl));
  map.set(Header.CorrelationId, correlationId);
  map.set(Header.TenantId, init.tenantId);
  map.set(Header.DeviceId, deviceId);
  map.set(Header.Status, String(status));
  if (contentType !== undefined) map.set(Header.ContentType, contentType);
  const later = [...map.keys()].slice(additional.length);
  return recordOf(topic, deviceId, value, map, javaHashMapOrder(additionalSource, later), [
    [Header.CreationTime, created],
  ]);
}

/**
 * Encodes a device's response as a protocol adapter (`KafkaBasedCommandResponseSender`) writes it:
 * `correlation-id`, `tenant_id`, `device_id`, `status`, `content-type` (`application/octet-stream` for a
 * payload without a type, absent without a payload), the optional `ttl`, then `creation-time`.
 *
 * @param init - Tenant, device, correlation id, status, payload and headers.
 * @returns The record for `hono.command_response.<tenant>`, ready for the Kafka client's producer.
 * @throws {@link TenantError} if the tenant id cannot be a topic suffix.
 * @throws {@link EncodeError} for a status outside 200-299 and 400-599, an empty device id or correlation
 *   id, a bad `ttlMs`, or an additional header that takes the name of one of Hono's.
 * @example
 * ```ts
 * const record = encodeCommandResponse({ tenantId: 'acme', deviceId: '4711', correlationId, status: 200, payload: '{"on":true}', contentType: 'application/json' });
 * ```
 * @category Commands
 */
export function encodeCommandResponse(init: CommandResponseInit): EncodedRecord {
  const refuse = refuseResponse;
  const status = checkStatus(refuse, init.status, true);
  const value = payloadValue(refuse, init.payload);
  const contentType =
    init.contentType !== undefined
      ? checkText(refuse, 'contentType', init.contentType, true)
      : value === null
        ? undefined
        : OCTET_STREAM;
  const ttl =
    init.ttlMs === undefined
      ? undefined
      : checkInteger(refuse, 'ttlMs', init.ttlMs, 0, Number.MAX_SAFE_INTEGER);
  const additional = stringEntries(refuse, 'additionalHeaders', init.additionalHeaders);
  for (const [name] of additional) {
    if (RESPONSE_HEADERS.has(name)) {
      throw refuse(
        'additionalHeaders',
        `additionalHeaders must not set Hono's own header ${JSON.stringify(name)}`,
      );
    }
  }
  return encodeResponse(
    init,
    status,
    contentType,
    value,
    ttl,
    init.creationTime,
    additional,
    additional.map(([name]) => name),
  );
}

/**
 * Writes a JSON string as Jackson (Vert.x `JsonObject`) does: like `JSON.stringify`, but control
 * characters without a short escape use upper-case hex digits (`\u001F`).
 */
function jacksonString(text: string): string {
  return JSON.stringify(text).replace(
    /\\u00([0-9a-f]{2})/g,
    (_match, hex: string) => `\\u00${hex.toUpperCase()}`,
  );
}

/**
 * Encodes a delivery failure as Hono writes it (`AbstractCommandContext.sendDeliveryFailureCommandResponseMessage`):
 * the value `{"error":"<text>"}`, content type {@link deliveryFailureContentType}, and the command's
 * failure metadata copied.
 *
 * @param init - Tenant, device, correlation id, status, error text and the command's metadata.
 * @returns The record for `hono.command_response.<tenant>`, ready for the Kafka client's producer.
 * @throws {@link TenantError} if the tenant id cannot be a topic suffix.
 * @throws {@link EncodeError} for a status outside 400-599, an empty device id or correlation id, or a
 *   metadata name without the prefix {@link deliveryFailureMetadataPrefix}.
 * @example
 * ```ts
 * // What Hono answers when the device is not connected.
 * const record = encodeDeliveryFailure({ tenantId: 'acme', deviceId: '4711', correlationId, status: 503, error: 'no consumer available' });
 * ```
 * @category Commands
 */
export function encodeDeliveryFailure(init: DeliveryFailureInit): EncodedRecord {
  const refuse = refuseResponse;
  const status = checkStatus(refuse, init.status, false);
  const error = checkText(refuse, 'error', init.error, false);
  const metadata = stringEntries(refuse, 'failureMetadata', init.failureMetadata);
  for (const [name] of metadata) {
    if (!name.startsWith(deliveryFailureMetadataPrefix)) {
      throw refuse(
        'failureMetadata',
        `failureMetadata names must start with ${deliveryFailureMetadataPrefix}, got ${JSON.stringify(name)}`,
      );
    }
  }
  // Hono collects the metadata into a HashMap (Collectors.toMap) and copies that map: its order is the source.
  const source = javaHashMapOrder(
    [],
    metadata.map(([name]) => name),
  );
  const byName = new Map(metadata);
  return encodeResponse(
    init,
    status,
    deliveryFailureContentType,
    utf8(`{"error":${jacksonString(error)}}`),
    undefined,
    init.creationTime,
    source.map((name) => [name, byName.get(name) ?? '']),
    source,
  );
}

/**
 * Tells whether Hono's Command Router would skip a command because its `ttl` has passed:
 * `creation-time + ttl < now`, with `now` for a missing `creation-time` (`KafkaRecordHelper.isTtlElapsed`).
 *
 * @param command - A decoded command.
 * @param now - The current time in ms since the epoch.
 * @returns `true` if the command has expired; `false` without a `ttl`.
 * @example
 * ```ts
 * if (isCommandExpired(command)) return; // Hono drops it without an answer
 * ```
 * @category Commands
 */
export function isCommandExpired(command: DecodedCommand, now: number = Date.now()): boolean {
  if (command.ttlMs === undefined) return false;
  return (command.creationTime ?? now) + command.ttlMs < now;
}
