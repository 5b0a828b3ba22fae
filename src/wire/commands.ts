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
import { DecodeError, DecodeErrorCode, EncodeError, InvalidCommandError } from '../errors.js';
import { HonoEndpoint, commandResponseTopic, commandTopic, isValidTenantId } from '../tenant.js';
import type { KafkaHeaderValue, KafkaRecord } from '../types.js';
import { wireValue } from './bytes.js';
import { headerBoolean, headerInteger, headerText } from './headers.js';
import type { EncodedRecord } from './types.js';

/**
 * The content type of the responses Hono writes when it could not deliver a command.
 *
 * @category Commands
 */
export const deliveryFailureContentType = 'application/vnd.eclipse-hono-delivery-failure-notification+json';

/**
 * The prefix of the headers whose values Hono copies into its delivery-failure responses.
 *
 * @category Commands
 */
export const deliveryFailureMetadataPrefix = 'delivery-failure-notification-metadata';

/**
 * What a command to one device says.
 *
 * @category Commands
 */
export interface CommandInit {
  /** The tenant: the record goes to `hono.command.<tenant>`. */
  readonly tenantId: string;
  /** The device: the record key and the `device_id` header; a non-empty string. */
  readonly deviceId: string;
  /** The command name: the `subject` header; a non-empty string. */
  readonly name: string;
  /**
   * The payload; a string is written as UTF-8.
   *
   * @defaultValue none: the value is null
   */
  readonly payload?: Buffer | string | undefined;
  /**
   * The `content-type` header.
   *
   * @defaultValue none: no `content-type` header, as Hono's sender writes it
   */
  readonly contentType?: string | undefined;
  /**
   * A `ttl` header in ms: Hono's Command Router skips the command once `creation-time + ttl` has passed.
   * Hono's own sender never writes one; the router's consumer honours it all the same (undocumented).
   *
   * @defaultValue none: no `ttl` header
   */
  readonly ttlMs?: number | undefined;
  /**
   * `creation-time` in ms since the epoch.
   *
   * @defaultValue now
   */
  readonly creationTime?: number | undefined;
  /**
   * The W3C `traceparent` header, written after `creation-time` as Hono's tracing does.
   *
   * @defaultValue none
   */
  readonly traceparent?: string | undefined;
  /**
   * The W3C `tracestate` header, written after `traceparent`.
   *
   * @defaultValue none
   */
  readonly tracestate?: string | undefined;
}

/**
 * A request/response command: it also carries a correlation id and failure metadata.
 *
 * @category Commands
 */
export interface RequestCommandInit extends CommandInit {
  /** The `correlation-id` header (the client makes a UUID); a non-empty string. */
  readonly correlationId: string;
  /**
   * Copied by Hono into its delivery-failure response: one header
   * `delivery-failure-notification-metadata.<key>` per entry, the value as raw UTF-8.
   *
   * @defaultValue none
   */
  readonly failureMetadata?: Readonly<Record<string, string>> | undefined;
}

/**
 * A command as the Command Router reads it (what the simulator sees).
 *
 * @category Commands
 */
export interface DecodedCommand {
  /** The tenant, from the topic. */
  readonly tenantId: string;
  /** The device: the `device_id` header, equal to the key. */
  readonly deviceId: string;
  /** The command name: the `subject` header. */
  readonly name: string;
  /** The record value. */
  readonly payload: Buffer | null;
  /** The `content-type` header, if any. */
  readonly contentType: string | undefined;
  /** The `correlation-id` header if not empty; Hono answers only request/response commands. */
  readonly correlationId: string | undefined;
  /** `response-required` was `true`; otherwise the command is one-way. */
  readonly responseRequired: boolean;
  /** The `delivery-failure-notification-metadata*` headers, by their full names; the first of a name wins. */
  readonly failureMetadata: Readonly<Record<string, string>>;
  /** The `creation-time` header in ms, if it is a JSON integer. */
  readonly creationTime: number | undefined;
  /** The `ttl` header in ms, if it is a JSON integer (see {@link isCommandExpired}). */
  readonly ttlMs: number | undefined;
}

/**
 * Why the Command Router would not deliver a command record: `dropped` (not a command topic, no
 * `device_id`, or a key that differs from it: Hono answers nothing) or `malformed` (no `subject`, or
 * `response-required` without a `correlation-id`: Hono answers 400 `malformed command message` when
 * `responseRequired` is `true` and a `correlationId` exists).
 *
 * @category Commands
 */
export interface InvalidCommand {
  /** `dropped`: no answer at all; `malformed`: a 400 delivery failure if Hono can correlate it. */
  readonly kind: 'dropped' | 'malformed';
  /** Hono's own words, e.g. `device identifier not set as record key` or `subject not set`. */
  readonly reason: string;
  /** The correlation id, if the record has one (Hono answers a malformed request only then). */
  readonly correlationId: string | undefined;
  /** The `delivery-failure-notification-metadata*` headers, by their full names. */
  readonly failureMetadata: Readonly<Record<string, string>>;
  /** The tenant, for a `malformed` command (needed to answer it). */
  readonly tenantId?: string | undefined;
  /** The device, for a `malformed` command (needed to answer it). */
  readonly deviceId?: string | undefined;
  /** `response-required` was `true`, for a `malformed` command: Hono answers only those. */
  readonly responseRequired?: boolean | undefined;
}

/**
 * A device's answer to a request/response command, as a protocol adapter writes it.
 *
 * @category Commands
 */
export interface CommandResponseInit {
  /** The tenant: the record goes to `hono.command_response.<tenant>`. */
  readonly tenantId: string;
  /** The device: the record key and the `device_id` header. */
  readonly deviceId: string;
  /** The command's `correlation-id`. */
  readonly correlationId: string;
  /** 200-299 or 400-599 (Hono's adapters refuse other statuses from a device). */
  readonly status: number;
  /**
   * The payload; a string is written as UTF-8.
   *
   * @defaultValue none: the value is null
   */
  readonly payload?: Buffer | string | undefined;
  /**
   * The `content-type` header.
   *
   * @defaultValue `application/octet-stream` when there is a payload; absent without one
   */
  readonly contentType?: string | undefined;
  /**
   * The `ttl` header in ms (Hono derives it from the tenant's `ttl-command-response`).
   *
   * @defaultValue none
   */
  readonly ttlMs?: number | undefined;
  /**
   * `creation-time` in ms since the epoch.
   *
   * @defaultValue now
   */
  readonly creationTime?: number | undefined;
  /**
   * Further headers (as Hono adds tenant and device defaults or copied metadata), by full name, written
   * as raw UTF-8. The names of the headers above are refused.
   *
   * @defaultValue none
   */
  readonly additionalHeaders?: Readonly<Record<string, string>> | undefined;
}

/**
 * A delivery failure that Hono writes (status 4xx/5xx, `{"error": "<text>"}`).
 *
 * @category Commands
 */
export interface DeliveryFailureInit {
  /** The tenant: the record goes to `hono.command_response.<tenant>`. */
  readonly tenantId: string;
  /** The device the command was for. */
  readonly deviceId: string;
  /** The command's `correlation-id`. */
  readonly correlationId: string;
  /** 400-599, e.g. 503 when the device is not connected. */
  readonly status: number;
  /** E.g. `no consumer available` (503), `malformed command message` (400). */
  readonly error: string;
  /**
   * The command's `delivery-failure-notification-metadata*` headers by their full names, copied as
   * {@link DecodedCommand.failureMetadata} holds them; every name must start with the prefix.
   *
   * @defaultValue none
   */
  readonly failureMetadata?: Readonly<Record<string, string>> | undefined;
  /**
   * `creation-time` in ms since the epoch.
   *
   * @defaultValue now
   */
  readonly creationTime?: number | undefined;
}

/**
 * A command response as the command client reads it.
 *
 * @category Commands
 */
export type CommandResponse =
  | {
      /** A device answered (any status, 2xx or not). */
      readonly kind: 'response';
      /** The tenant, from the topic. */
      readonly tenantId: string;
      /** The device that answered. */
      readonly deviceId: string;
      /** The command's correlation id. */
      readonly correlationId: string;
      /** The device's status: 2xx success, 4xx a client error, 5xx a device error. */
      readonly status: number;
      /** The `content-type` header, if any. */
      readonly contentType: string | undefined;
      /** The record value. */
      readonly payload: Buffer | null;
      /** The `creation-time` header in ms, if any. */
      readonly creationTime: number | undefined;
      /** The `ttl` header in ms, if any. */
      readonly ttlMs: number | undefined;
    }
  | {
      /** Hono could not deliver the command (content type {@link deliveryFailureContentType}). */
      readonly kind: 'deliveryFailure';
      /** The tenant, from the topic. */
      readonly tenantId: string;
      /** The device the command was for. */
      readonly deviceId: string;
      /** The command's correlation id. */
      readonly correlationId: string;
      /** Hono's status, e.g. 503 for a device that is not connected, 400 for a malformed command. */
      readonly status: number;
      /** The `error` text of the body, e.g. `no consumer available`. */
      readonly error: string;
      /** The command's `delivery-failure-notification-metadata*` headers, by their full names. */
      readonly failureMetadata: Readonly<Record<string, string>>;
      /** The `creation-time` header in ms, if any. */
      readonly creationTime: number | undefined;
    };

const Header = {
  ContentType: 'content-type',
  CorrelationId: 'correlation-id',
  CreationTime: 'creation-time',
  DeviceId: 'device_id',
  ResponseRequired: 'response-required',
  Status: 'status',
  Subject: 'subject',
  TenantId: 'tenant_id',
  Traceparent: 'traceparent',
  Tracestate: 'tracestate',
  Ttl: 'ttl',
} as const;

const OCTET_STREAM = 'application/octet-stream';
const COMMAND_TOPIC_PREFIX = 'hono.command.';
const RESPONSE_TOPIC_PREFIX = 'hono.command_response.';
const MAX_DATE_MS = 8.64e15;
const MAX_INT = 2_147_483_647;
/** Names that `additionalHeaders` may not use: Hono sets or removes them itself. */
const RESPONSE_HEADERS: ReadonlySet<string> = new Set([
  Header.ContentType,
  Header.CorrelationId,
  Header.CreationTime,
  Header.DeviceId,
  Header.Status,
  Header.TenantId,
  Header.Ttl,
  'ttl-command-response',
]);
/** A UTF-16 surrogate without its partner: it cannot be written as UTF-8 and read back as the same text. */
const LONE_SURROGATE = /\p{Cs}/u;

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

/** Java's `String.hashCode()` over UTF-16 code units, spread as `HashMap.hash()` does. */
function javaHash(key: string): number {
  let hash = 0;
  for (let index = 0; index < key.length; index++) hash = (Math.imul(hash, 31) + key.charCodeAt(index)) | 0;
  return hash ^ (hash >>> 16);
}

/** Java's `HashMap.tableSizeFor`: the smallest power of two of at least `capacity`. */
function tableSizeFor(capacity: number): number {
  return capacity <= 1 ? 1 : 2 ** Math.ceil(Math.log2(capacity));
}

/**
 * The iteration order of the keys of a `java.util.HashMap` (Java 19 and later, as Hono's images run)
 * made by `new HashMap<>()`, then `putAll` of a map whose iteration order is `source`, then `put` of each
 * of `later`. Buckets are visited by index, each bucket in insertion order; the capacity grows as Java's
 * does (load factor 0.75, pre-sizing by `putAll`, doubling when a bucket reaches 9 entries in a table of
 * less than 64). Not modelled: the red-black trees Java makes of a bucket with 9 or more colliding keys
 * in a table of 64 or more; such deliberately colliding metadata names keep their insertion order.
 */
function javaHashMapOrder(source: readonly string[], later: readonly string[]): string[] {
  let table: string[][] = [];
  let threshold = 0;
  let size = 0;
  const resize = (): void => {
    const oldCapacity = table.length;
    let capacity: number;
    let nextThreshold = 0;
    if (oldCapacity > 0) {
      capacity = oldCapacity * 2;
      if (oldCapacity >= 16) nextThreshold = threshold * 2;
    } else if (threshold > 0) capacity = threshold;
    else {
      capacity = 16;
      nextThreshold = 12;
    }
    threshold = nextThreshold === 0 ? Math.floor(capacity * 0.75) : nextThreshold;
    const next: string[][] = Array.from({ length: capacity }, () => []);
    for (const bucket of table) for (const key of bucket) next[javaHash(key) & (capacity - 1)]?.push(key);
    table = next;
  };
  const put = (key: string): void => {
    if (table.length === 0) resize();
    const bucket = table[javaHash(key) & (table.length - 1)] ?? [];
    if (bucket.includes(key)) return; // a new value, same place
    bucket.push(key);
    if (bucket.length >= 9 && table.length < 64) resize(); // treeifyBin on a small table
    if (++size > threshold) resize();
  };
  if (source.length > 0) {
    const wanted = Math.ceil(source.length / 0.75);
    if (wanted > threshold) threshold = tableSizeFor(wanted);
  }
  for (const key of source) put(key);
  for (const key of later) put(key);
  return table.flat();
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

/** The first value of each header a command or response decoder reads, and the prefixed metadata. */
interface Scanned {
  readonly first: Map<string, KafkaHeaderValue>;
  readonly metadata: Record<string, string>;
}

const SCANNED: ReadonlySet<string> = new Set(Object.values(Header));

/** Scans the headers, or says why the record is not shaped like a Kafka client's record. */
function scan(record: KafkaRecord): Scanned | string {
  if (typeof record !== 'object' || (record as unknown) === null) return 'the record is not an object';
  const { topic, key, value, headers } = record as unknown as Record<string, unknown>;
  if (typeof topic !== 'string') return 'topic is not a string';
  if (value !== null && value !== undefined && !Buffer.isBuffer(value))
    return 'value is neither a Buffer nor null';
  if (key !== null && key !== undefined && typeof key !== 'string' && !Buffer.isBuffer(key)) {
    return 'key is neither a Buffer, a string nor null';
  }
  const scanned: Scanned = { first: new Map(), metadata: Object.create(null) as Record<string, string> };
  if (headers === undefined || headers === null) return scanned;
  if (!Array.isArray(headers)) return 'headers is not an array';
  for (const [index, header] of (headers as unknown[]).entries()) {
    if (typeof header !== 'object' || header === null) return `header #${index} is not an object`;
    for (const [name, headerValue] of Object.entries(header as Record<string, unknown>)) {
      if (typeof headerValue !== 'string' && !Buffer.isBuffer(headerValue)) {
        return `header #${index} (${JSON.stringify(name)}) is neither a Buffer nor a string`;
      }
      if (SCANNED.has(name) && !scanned.first.has(name)) scanned.first.set(name, headerValue);
      if (name.startsWith(deliveryFailureMetadataPrefix) && !Object.hasOwn(scanned.metadata, name)) {
        scanned.metadata[name] = headerText(headerValue);
      }
    }
  }
  return scanned;
}

function text(scanned: Scanned, name: string): string | undefined {
  const value = scanned.first.get(name);
  return value === undefined ? undefined : headerText(value);
}

function integer(scanned: Scanned, name: string): number | undefined | null {
  const value = scanned.first.get(name);
  if (value === undefined) return undefined;
  return headerInteger(value) ?? null;
}

function tenantOf(topic: string, prefix: string): string | undefined {
  if (!topic.startsWith(prefix)) return undefined;
  const tenantId = topic.slice(prefix.length);
  return isValidTenantId(tenantId, HonoEndpoint.Event) ? tenantId : undefined;
}

function keyText(key: KafkaRecord['key']): string | undefined {
  return key === null || key === undefined ? undefined : headerText(key);
}

/**
 * Reads a command as Hono's Command Router does (`KafkaBasedCommand.from`): the tenant from the topic,
 * the device from `device_id` (which must equal the key), the name from `subject`; one-way unless
 * `response-required` is the JSON `true`. Headers are read first-wins, strings as UTF-8.
 *
 * @param record - A record from `hono.command.<tenant>`.
 * @returns The command, or an {@link InvalidCommand} saying whether Hono drops it silently or rejects it
 *   as malformed. Never throws.
 * @example
 * ```ts
 * const command = decodeCommand(record);
 * if ('kind' in command) return; // dropped or malformed
 * ```
 * @category Commands
 */
export function decodeCommand(record: KafkaRecord): DecodedCommand | InvalidCommand {
  try {
    return decodeCommandRecord(record);
  } catch (error) {
    // Not reachable for a record of the Kafka client; a safety net for anything else.
    return dropped(`the record cannot be read: ${error instanceof Error ? error.message : 'unknown error'}`);
  }
}

function dropped(reason: string, scanned?: Scanned): InvalidCommand {
  const correlationId = scanned === undefined ? undefined : text(scanned, Header.CorrelationId);
  return {
    kind: 'dropped',
    reason,
    correlationId: correlationId === '' ? undefined : correlationId,
    failureMetadata: scanned === undefined ? {} : { ...scanned.metadata },
  };
}

function decodeCommandRecord(record: KafkaRecord): DecodedCommand | InvalidCommand {
  const scanned = scan(record);
  if (typeof scanned === 'string') return dropped(`malformed record: ${scanned}`);
  const tenantId = tenantOf(record.topic, COMMAND_TOPIC_PREFIX);
  if (tenantId === undefined) return dropped('unsupported topic', scanned);
  const deviceId = text(scanned, Header.DeviceId);
  if (deviceId === undefined || deviceId === '') return dropped('device identifier is not set', scanned);
  if (keyText(record.key) !== deviceId) return dropped('device identifier not set as record key', scanned);

  const problems: string[] = [];
  const name = text(scanned, Header.Subject);
  if (name === undefined) problems.push('subject not set');
  const responseValue = scanned.first.get(Header.ResponseRequired);
  const responseRequired = responseValue !== undefined && headerBoolean(responseValue) === true;
  const correlationText = text(scanned, Header.CorrelationId);
  const correlationId = correlationText === '' ? undefined : correlationText;
  if (responseRequired && correlationId === undefined) problems.push('correlation-id is not set');
  const failureMetadata = { ...scanned.metadata };
  if (name === undefined || problems.length > 0) {
    return {
      kind: 'malformed',
      reason: problems.join(', '),
      correlationId,
      failureMetadata,
      tenantId,
      deviceId,
      responseRequired,
    };
  }
  // Hono reads a creation-time or ttl that is no JSON integer as absent.
  return {
    tenantId,
    deviceId,
    name,
    payload: record.value ?? null,
    contentType: text(scanned, Header.ContentType),
    correlationId,
    responseRequired,
    failureMetadata,
    creationTime: integer(scanned, Header.CreationTime) ?? undefined,
    ttlMs: integer(scanned, Header.Ttl) ?? undefined,
  };
}

function where(record: KafkaRecord): string {
  if (typeof record !== 'object' || (record as unknown) === null) return 'command response';
  const { topic, partition, offset } = record as unknown as Record<string, unknown>;
  return `command response ${String(topic)}[${String(partition)}]@${String(offset)}`;
}

/**
 * Reads a command response: the tenant from `hono.command_response.<tenant>` (or, on another topic, the
 * `tenant_id` header), the device from `device_id` or the key, `correlation-id`, `status`, and for
 * Hono's delivery failures the `error` text of the body.
 *
 * @param record - A record from `hono.command_response.<tenant>`.
 * @returns A device's response or a delivery failure.
 * @throws {@link DecodeError} with a specific code: `ERR_HONO_MISSING_CORRELATION_ID`,
 *   `ERR_HONO_MISSING_STATUS`, `ERR_HONO_BAD_STATUS` (no JSON integer), `ERR_HONO_BAD_DELIVERY_FAILURE`
 *   (a body that is not `{"error": string}`), `ERR_HONO_MISSING_DEVICE_ID`, `ERR_HONO_DEVICE_ID_MISMATCH`,
 *   `ERR_HONO_TENANT_MISMATCH`, `ERR_HONO_NOT_HONO_TOPIC`, `ERR_HONO_BAD_HEADER` (`creation-time`, `ttl`)
 *   or `ERR_HONO_MALFORMED_RECORD`; when the record has a correlation id, the error carries it. Nothing
 *   else, whatever the input.
 * @example
 * ```ts
 * const response = decodeCommandResponse(record);
 * if (response.kind === 'deliveryFailure' && response.status === 503) console.log('device not connected');
 * ```
 * @category Commands
 */
export function decodeCommandResponse(record: KafkaRecord): CommandResponse {
  try {
    return decodeResponseRecord(record);
  } catch (error) {
    if (error instanceof DecodeError) throw error;
    // Not reachable for a record of the Kafka client; a safety net for anything else.
    throw new DecodeError(DecodeErrorCode.MalformedRecord, `Malformed ${where(record)}`, record, {
      cause: error,
    });
  }
}

function decodeResponseRecord(record: KafkaRecord): CommandResponse {
  const scanned = scan(record);
  if (typeof scanned === 'string') {
    throw new DecodeError(DecodeErrorCode.MalformedRecord, `Malformed command response: ${scanned}`, record);
  }
  const fail = (code: DecodeErrorCode, problem: string, header?: string): DecodeError =>
    new DecodeError(code, `Invalid ${where(record)}: ${problem}`, record, { header, correlationId });

  const correlationText = text(scanned, Header.CorrelationId);
  const correlationId = correlationText === '' ? undefined : correlationText;
  if (correlationId === undefined) {
    throw fail(DecodeErrorCode.MissingCorrelationId, 'no correlation-id header', Header.CorrelationId);
  }

  const tenantHeader = text(scanned, Header.TenantId);
  const topicTenant = tenantOf(record.topic, RESPONSE_TOPIC_PREFIX);
  if (topicTenant !== undefined && tenantHeader !== undefined && tenantHeader !== topicTenant) {
    throw fail(
      DecodeErrorCode.TenantMismatch,
      `the tenant_id header names tenant ${JSON.stringify(tenantHeader)}, the topic ${JSON.stringify(topicTenant)}`,
      Header.TenantId,
    );
  }
  const tenantId =
    topicTenant ?? (isValidTenantId(tenantHeader, HonoEndpoint.Event) ? tenantHeader : undefined);
  if (tenantId === undefined) {
    throw fail(
      DecodeErrorCode.NotHonoTopic,
      'not a hono.command_response.<tenant> topic, and no tenant_id header',
    );
  }

  const deviceHeader = text(scanned, Header.DeviceId);
  const key = keyText(record.key);
  const deviceId = deviceHeader !== undefined && deviceHeader !== '' ? deviceHeader : key;
  if (deviceId === undefined || deviceId === '') {
    throw fail(
      DecodeErrorCode.MissingDeviceId,
      'neither the key nor a device_id header names the device',
      Header.DeviceId,
    );
  }
  if (key !== undefined && key !== '' && key !== deviceId) {
    throw fail(
      DecodeErrorCode.DeviceIdMismatch,
      `the key names device ${JSON.stringify(key)} but the device_id header names ${JSON.stringify(deviceId)}`,
      Header.DeviceId,
    );
  }

  const status = integer(scanned, Header.Status);
  if (status === undefined) throw fail(DecodeErrorCode.MissingStatus, 'no status header', Header.Status);
  if (status === null || status < -MAX_INT - 1 || status > MAX_INT) {
    throw fail(
      DecodeErrorCode.BadStatus,
      `status ${JSON.stringify(text(scanned, Header.Status))} is no JSON integer`,
      Header.Status,
    );
  }
  const creationTime = integer(scanned, Header.CreationTime);
  if (creationTime === null) {
    throw fail(DecodeErrorCode.BadHeader, 'creation-time is no JSON integer', Header.CreationTime);
  }
  const ttlMs = integer(scanned, Header.Ttl);
  if (ttlMs === null || (ttlMs !== undefined && ttlMs < 0)) {
    throw fail(DecodeErrorCode.BadHeader, 'ttl is no JSON integer of at least 0', Header.Ttl);
  }

  const contentType = text(scanned, Header.ContentType);
  const payload = record.value ?? null;
  if (contentType === deliveryFailureContentType) {
    const error = deliveryFailureError(payload);
    if (error === undefined) {
      throw fail(DecodeErrorCode.BadDeliveryFailure, 'the delivery failure body is not {"error": string}');
    }
    return {
      kind: 'deliveryFailure',
      tenantId,
      deviceId,
      correlationId,
      status,
      error,
      failureMetadata: { ...scanned.metadata },
      creationTime,
    };
  }
  return {
    kind: 'response',
    tenantId,
    deviceId,
    correlationId,
    status,
    contentType,
    payload,
    creationTime,
    ttlMs,
  };
}

function deliveryFailureError(payload: Buffer | null): string | undefined {
  if (payload === null) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(payload.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const error = (body as Record<string, unknown>)['error'];
  return typeof error === 'string' ? error : undefined;
}
