/**
 * Turns typed Hono events, records that did not decode, command responses and the commands the
 * simulator handled into single lines: JSON objects for
 * machines, or readable text for people.
 *
 * Payloads: UTF-8 text when the content type says text (`text/*`, JSON, XML or YAML, with no charset
 * other than UTF-8 or US-ASCII), there is no `content-encoding` (compressed bytes are not text) and the
 * bytes are valid UTF-8; otherwise base64. JSON lines say which in `payloadEncoding`, so the bytes can
 * always be restored exactly.
 */
import { isUtf8 } from 'node:buffer';
import type { DecodeError } from '../errors.js';
import type { HandledCommand } from '../testing/command-router.js';
import type { CommandResponse } from '../wire/commands.js';
import { HonoContentType, type HonoEvent } from '../wire/types.js';
import type { OutputFormat } from './args.js';

/** How a payload is written: as UTF-8 text, or as base64 of its bytes. */
export type PayloadEncoding = 'utf8' | 'base64';

const textualType =
  /^(?:text\/[^;\s]+|application\/(?:json|xml|yaml|x-yaml|x-ndjson|javascript)|[^/;\s]+\/[^;\s]+\+(?:json|xml|yaml))$/;
const utf8Charset = /^"?(?:utf-?8|us-ascii)"?$/;

/**
 * Whether a content type names text that can be shown as UTF-8.
 *
 * @param contentType - a MIME type, possibly with parameters
 * @returns true for `text/*`, JSON, XML and YAML types whose charset (if any) is UTF-8 or US-ASCII
 */
export function isTextualContentType(contentType: string): boolean {
  const [type = '', ...parameters] = contentType.toLowerCase().split(';');
  if (!textualType.test(type.trim())) return false;
  return parameters.every((parameter) => {
    const [name = '', value = ''] = parameter.split('=').map((part) => part.trim());
    return name !== 'charset' || utf8Charset.test(value);
  });
}

/**
 * A payload as text or base64 (see the module comment for the rule).
 *
 * @param payload - the bytes
 * @param contentType - the event's content type
 * @param contentEncoding - the event's content encoding, if any
 * @returns the payload as a string, and how it is encoded
 */
export function payloadOf(
  payload: Buffer,
  contentType: string,
  contentEncoding: string | undefined,
): { payload: string; payloadEncoding: PayloadEncoding } {
  const text = contentEncoding === undefined && isTextualContentType(contentType) && isUtf8(payload);
  return text
    ? { payload: payload.toString('utf8'), payloadEncoding: 'utf8' }
    : { payload: payload.toString('base64'), payloadEncoding: 'base64' };
}

/**
 * An event's fields for output, in a fixed order, without the ones that are not set.
 *
 * @param event - the decoded event
 * @returns a plain object that {@link jsonLine} can write
 */
export function eventFields(event: HonoEvent): Record<string, unknown> {
  const common = {
    type: event.type,
    endpoint: event.endpoint,
    tenantId: event.tenantId,
    deviceId: event.deviceId,
    contentType: contentTypeOf(event),
    creationTime: event.creationTime,
    qos: event.qos,
    ttd: event.ttd,
    ttl: event.ttl,
    topic: event.topic,
    partition: event.partition,
    offset: event.offset,
  };
  switch (event.type) {
    case 'event':
      return {
        ...common,
        contentEncoding: event.contentEncoding,
        ...payloadOf(event.payload, event.contentType, event.contentEncoding),
      };
    case 'connection':
      return {
        ...common,
        cause: event.cause,
        remoteId: event.remoteId,
        source: event.source,
        data: event.data,
      };
    case 'provisioning':
      return { ...common, registrationStatus: event.registrationStatus, gatewayId: event.gatewayId };
    case 'emptyNotification':
      return common;
  }
}

function contentTypeOf(event: HonoEvent): string {
  switch (event.type) {
    case 'event':
      return event.contentType;
    case 'connection':
      return HonoContentType.ConnectionNotification;
    case 'provisioning':
      return HonoContentType.ProvisioningNotification;
    case 'emptyNotification':
      return HonoContentType.EmptyNotification;
  }
}

/**
 * What the fourth column of a text line says: the endpoint for a device's data (`event` or `telemetry`,
 * so that an event's line reads as it always did), the notification's type otherwise (`connection`,
 * `provisioning`, `emptyNotification`), prefixed with `telemetry:` should one come from a telemetry topic.
 *
 * @param event - the decoded event
 * @returns the column's text
 */
function kindOf(event: HonoEvent): string {
  if (event.type === 'event') return event.endpoint;
  return event.endpoint === 'event' ? event.type : `${event.endpoint}:${event.type}`;
}

/**
 * An event as one line, without the newline. A text line is `<creation time> <tenant> <device> <kind>
 * [<partition>]@<offset> qos=<qos> ...`, where the kind is said by {@link kindOf}.
 *
 * @param event - the decoded event
 * @param format - `json` or `text`
 * @returns the line
 */
export function formatEvent(event: HonoEvent, format: OutputFormat): string {
  const fields = eventFields(event);
  if (format === 'json') return jsonLine(fields);
  const time = Number.isNaN(event.creationTime.getTime()) ? '-' : event.creationTime.toISOString();
  const head = [
    time,
    event.tenantId,
    printable(event.deviceId),
    kindOf(event),
    `[${event.partition}]@${event.offset}`,
  ];
  const details = [`qos=${event.qos}`];
  if (event.ttd !== undefined) details.push(`ttd=${event.ttd}`);
  if (event.ttl !== undefined) details.push(`ttl=${event.ttl}`);
  switch (event.type) {
    case 'event': {
      details.push(`ct=${printable(event.contentType)}`);
      if (event.contentEncoding !== undefined) details.push(`ce=${printable(event.contentEncoding)}`);
      const { payload, payloadEncoding } = payloadOf(event.payload, event.contentType, event.contentEncoding);
      const shown = event.payload.length === 0 ? '(empty)' : printable(payload);
      details.push(payloadEncoding === 'base64' && event.payload.length > 0 ? `base64:${shown}` : shown);
      break;
    }
    case 'connection':
      details.unshift(event.cause);
      details.push(`remote-id=${printable(event.remoteId)}`, `source=${printable(event.source)}`);
      if (event.data !== undefined) details.push(`data=${printable(jsonLine(event.data))}`);
      break;
    case 'provisioning':
      details.push(`status=${printable(event.registrationStatus)}`);
      if (event.gatewayId !== undefined) details.push(`gateway=${printable(event.gatewayId)}`);
      break;
    case 'emptyNotification':
      break;
  }
  return [...head, ...details].join(' ');
}

/**
 * A record that did not decode, as one line without the newline: the error code and where the record
 * sits. The record's value is not shown.
 *
 * @param error - the decode error (it carries the record)
 * @param format - `json` or `text`
 * @returns the line
 */
export function formatInvalid(error: DecodeError, format: OutputFormat): string {
  const { topic, partition, offset, key } = error.record;
  const keyBytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : (key ?? undefined);
  const keyText = keyBytes === undefined || !isUtf8(keyBytes) ? undefined : keyBytes.toString('utf8');
  if (format === 'json') {
    return jsonLine({
      invalid: true,
      code: error.code,
      message: error.message,
      header: error.header,
      field: error.field,
      topic,
      partition,
      offset,
      key: keyText ?? keyBytes?.toString('base64'),
      keyEncoding: keyText === undefined && keyBytes !== undefined ? 'base64' : undefined,
    });
  }
  const shownKey =
    keyBytes === undefined
      ? ''
      : ` key=${keyText === undefined ? 'base64:' : ''}${printable(keyText ?? keyBytes.toString('base64'))}`;
  return `invalid record ${printable(topic)}[${partition}]@${offset}${shownKey}: ${error.code}: ${printable(error.message)}`;
}

/**
 * JSON text of any value, safe for what `JSON.stringify` mishandles: bigints become decimal strings,
 * Buffers and typed arrays base64, Dates ISO strings (`null` when invalid), Maps objects, Sets arrays,
 * non-finite numbers `null`, and a cycle `"[Circular]"`. Undefined fields are left out.
 *
 * @param value - the value
 * @returns one line of JSON
 */
export function jsonLine(value: unknown): string {
  const safe = jsonValue(value, new WeakSet());
  return safe === undefined ? 'null' : JSON.stringify(safe);
}

function jsonValue(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'object' || value === null) {
    return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (ArrayBuffer.isView(value))
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item: unknown) => jsonValue(item, seen) ?? null);
    if (value instanceof Set) return [...value].map((item: unknown) => jsonValue(item, seen) ?? null);
    const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
    return Object.fromEntries(
      entries
        .map(([key, item]: [unknown, unknown]) => [String(key), jsonValue(item, seen)] as const)
        .filter(([, item]) => item !== undefined),
    );
  } finally {
    seen.delete(value);
  }
}

/**
 * Text that is safe to show on a terminal: control characters (C0, DEL, C1), line and paragraph
 * separators and bidirectional overrides are escaped as `\n`, `\t`, `\r` or `\uXXXX`, so that a device
 * cannot move the cursor, recolour the terminal or split a line.
 *
 * @param text - text from a device or a record
 * @returns the text with those characters escaped
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (char) => {
    if (char === '\n') return '\\n';
    if (char === '\r') return '\\r';
    if (char === '\t') return '\\t';
    return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/**
 * A command's response as one line without the newline: `hono-cli`'s `res <device> <status>
 * <content-type|-> <payload|->` for a device's response, `cannot deliver the command to device <device>:
 * <status> <error>` for Hono's delivery failure, or a JSON object (`type` `response` or
 * `deliveryFailure`). A payload
 * that is not UTF-8 text is shown as `base64:<bytes>` (in JSON: `payloadEncoding` `base64`).
 *
 * @param response - the device's response or Hono's delivery failure
 * @param json - JSON instead of text
 * @returns the line
 */
export function formatCommandResponse(response: CommandResponse, json: boolean): string {
  if (response.kind === 'deliveryFailure') {
    if (json) {
      return jsonLine({
        type: response.kind,
        tenantId: response.tenantId,
        deviceId: response.deviceId,
        correlationId: response.correlationId,
        status: response.status,
        error: response.error,
      });
    }
    return `cannot deliver the command to device ${printable(response.deviceId)}: ${response.status} ${printable(response.error)}`;
  }
  const payload =
    response.payload === null || response.payload.length === 0
      ? undefined
      : payloadOf(response.payload, response.contentType ?? '', undefined);
  if (json) {
    return jsonLine({
      type: response.kind,
      tenantId: response.tenantId,
      deviceId: response.deviceId,
      correlationId: response.correlationId,
      status: response.status,
      contentType: response.contentType,
      ...payload,
    });
  }
  const shownPayload =
    payload === undefined
      ? '-'
      : `${payload.payloadEncoding === 'base64' ? 'base64:' : ''}${printable(payload.payload)}`;
  const shownType = response.contentType === undefined ? '-' : printable(response.contentType);
  return `res ${printable(response.deviceId)} ${response.status} ${shownType} ${shownPayload}`;
}

/**
 * A command record the simulator handled, as one line without the newline: `cmd <device> <name>
 * <outcome> <status|->`, or a JSON object. A record that is not a valid command shows `-` for what it
 * lacks.
 *
 * @param handled - the record and what the simulator did with it
 * @param json - JSON instead of text
 * @returns the line
 */
export function formatHandledCommand(handled: HandledCommand, json: boolean): string {
  const { command } = handled;
  const deviceId = command.deviceId;
  const name = 'name' in command ? command.name : undefined;
  if (json) {
    return jsonLine({
      type: 'command',
      tenantId: handled.tenantId,
      deviceId,
      name,
      correlationId: command.correlationId,
      outcome: handled.outcome,
      status: handled.status,
      reason: 'reason' in command ? command.reason : undefined,
      partition: handled.partition,
      offset: handled.offset,
    });
  }
  const shown = (text: string | undefined): string =>
    text === undefined || text === '' ? '-' : printable(text);
  const status = handled.status === undefined ? '-' : String(handled.status);
  return `cmd ${shown(deviceId)} ${shown(name)} ${handled.outcome} ${status}`;
}
