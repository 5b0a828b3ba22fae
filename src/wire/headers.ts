/**
 * Reading Kafka header values the way Hono writes them: strings as raw UTF-8, numbers and booleans as
 * JSON text; the first of repeated headers wins.
 *
 * @module
 */
import { DecodeError, DecodeErrorCode } from '../errors.js';
import type { KafkaHeaderValue, KafkaRecord, KafkaRecordHeader } from '../types.js';

/**
 * The first value of each header that the decoder interprets, still raw. One scan over the headers
 * array fills it; a class so that every instance shares one hidden class.
 */
export class ScannedHeaders {
  contentType: KafkaHeaderValue | undefined = undefined;
  contentEncoding: KafkaHeaderValue | undefined = undefined;
  creationTime: KafkaHeaderValue | undefined = undefined;
  deviceId: KafkaHeaderValue | undefined = undefined;
  tenantId: KafkaHeaderValue | undefined = undefined;
  qos: KafkaHeaderValue | undefined = undefined;
  ttd: KafkaHeaderValue | undefined = undefined;
  ttl: KafkaHeaderValue | undefined = undefined;
  origAdapter: KafkaHeaderValue | undefined = undefined;
  origAddress: KafkaHeaderValue | undefined = undefined;
  retain: KafkaHeaderValue | undefined = undefined;
  traceparent: KafkaHeaderValue | undefined = undefined;
  tracestate: KafkaHeaderValue | undefined = undefined;
  baggage: KafkaHeaderValue | undefined = undefined;
  registrationStatus: KafkaHeaderValue | undefined = undefined;
  gatewayId: KafkaHeaderValue | undefined = undefined;
}

function malformed(record: KafkaRecord, index: number, what: string): DecodeError {
  return new DecodeError(
    DecodeErrorCode.MalformedRecord,
    `Malformed record: header #${index} ${what}`,
    record,
  );
}

/**
 * Scans the headers of a record once and keeps the first value of each header the decoder interprets.
 *
 * @param record - The record whose headers to scan; it is only read.
 * @returns The first raw value of each known header.
 * @throws {@link DecodeError} `ERR_HONO_MALFORMED_RECORD` if a header is no object or a value is neither
 *   a Buffer nor a string.
 */
export function scanHeaders(record: KafkaRecord): ScannedHeaders {
  const scanned = new ScannedHeaders();
  const headers: unknown = record.headers;
  if (headers === undefined || headers === null) return scanned;
  if (!Array.isArray(headers)) {
    throw new DecodeError(
      DecodeErrorCode.MalformedRecord,
      'Malformed record: headers is not an array',
      record,
    );
  }
  const list = headers as readonly unknown[];
  for (let index = 0; index < list.length; index++) {
    const header = list[index];
    if (typeof header !== 'object' || header === null) throw malformed(record, index, 'is not an object');
    const entries = header as Record<string, unknown>;
    for (const name in entries) {
      const value = entries[name];
      if (typeof value !== 'string' && !Buffer.isBuffer(value)) {
        throw malformed(record, index, `(${JSON.stringify(name)}) is neither a Buffer nor a string`);
      }
      switch (name) {
        case 'content-type':
          scanned.contentType ??= value;
          break;
        case 'content-encoding':
          scanned.contentEncoding ??= value;
          break;
        case 'creation-time':
          scanned.creationTime ??= value;
          break;
        case 'device_id':
          scanned.deviceId ??= value;
          break;
        case 'tenant_id':
          scanned.tenantId ??= value;
          break;
        case 'qos':
          scanned.qos ??= value;
          break;
        case 'ttd':
          scanned.ttd ??= value;
          break;
        case 'ttl':
          scanned.ttl ??= value;
          break;
        case 'orig_adapter':
          scanned.origAdapter ??= value;
          break;
        case 'orig_address':
          scanned.origAddress ??= value;
          break;
        case 'x-opt-retain':
          scanned.retain ??= value;
          break;
        case 'traceparent':
          scanned.traceparent ??= value;
          break;
        case 'tracestate':
          scanned.tracestate ??= value;
          break;
        case 'baggage':
          scanned.baggage ??= value;
          break;
        case 'hono_registration_status':
          scanned.registrationStatus ??= value;
          break;
        case 'gateway_id':
          scanned.gatewayId ??= value;
          break;
        default:
          break;
      }
    }
  }
  return scanned;
}

/**
 * Reads a header value as Hono reads a string: its raw UTF-8 text (malformed sequences become U+FFFD).
 *
 * @param value - The raw header value, a Buffer or a string (returned as is).
 * @returns The text.
 * @example
 * ```ts
 * headerText(Buffer.from('hono-mqtt')); // 'hono-mqtt'
 * ```
 * @category Wire format
 */
export function headerText(value: KafkaHeaderValue): string {
  return typeof value === 'string' ? value : value.toString('utf8');
}

/** The largest number of decimal digits read without `JSON.parse` (stays a safe integer). */
const FAST_DIGITS = 15;

/**
 * Reads a header value as a JSON integer, the way Hono writes `int` and `long` headers (`60`, `-1`).
 *
 * @param value - The raw header value.
 * @returns The integer, or `undefined` if the value is no JSON number or not a safe integer.
 */
export function headerInteger(value: KafkaHeaderValue): number | undefined {
  if (typeof value !== 'string') {
    // Fast path for the canonical form Hono writes: -?(0|[1-9][0-9]*), up to 15 digits.
    const length = value.length;
    let index = 0;
    let negative = false;
    if (length > 0 && value[0] === 0x2d) {
      negative = true;
      index = 1;
    }
    const digits = length - index;
    if (digits > 0 && digits <= FAST_DIGITS && (digits === 1 || value[index] !== 0x30)) {
      let result = 0;
      for (; index < length; index++) {
        const digit = (value[index] ?? 0) - 0x30;
        if (digit < 0 || digit > 9) break;
        result = result * 10 + digit;
      }
      if (index === length) return negative ? (result === 0 ? 0 : -result) : result;
    }
  }
  const parsed = parseJson(headerText(value));
  return typeof parsed === 'number' && Number.isSafeInteger(parsed) ? parsed + 0 : undefined;
}

/**
 * Reads a header value as a JSON boolean, the way Hono writes `boolean` headers (`true`).
 *
 * @param value - The raw header value.
 * @returns The boolean, or `undefined` if the value is no JSON boolean.
 */
export function headerBoolean(value: KafkaHeaderValue): boolean | undefined {
  const parsed = parseJson(headerText(value));
  return typeof parsed === 'boolean' ? parsed : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Finds the first header with a name, as Hono does, for headers the SDK does not interpret itself
 * (such as tenant or device defaults).
 *
 * @param headers - The raw headers of a record or event, in wire order.
 * @param name - The header name, case-sensitive.
 * @returns The raw value of the first header with that name, or `undefined`.
 * @example
 * ```ts
 * const region = findHeader(event.headers, 'region');
 * if (region !== undefined) console.log(headerText(region));
 * ```
 * @category Wire format
 */
export function findHeader(
  headers: readonly KafkaRecordHeader[],
  name: string,
): KafkaHeaderValue | undefined {
  for (const header of headers) {
    if (Object.hasOwn(header, name)) return header[name];
  }
  return undefined;
}
