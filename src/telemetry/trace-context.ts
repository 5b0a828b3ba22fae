/**
 * The trace context Hono wrote into a record (W3C `traceparent` and `tracestate` headers): read through
 * the application's propagators when it registered some, else parsed here by the W3C Trace Context rules.
 */
import type { Context, SpanContext, TextMapGetter, TraceState } from '@opentelemetry/api';
import type { KafkaRecordHeader } from '../types.js';
import type { OpenTelemetryApi } from './otel-api.js';

/** A record's headers, as a propagator's carrier. */
export type HeaderCarrier = readonly KafkaRecordHeader[] | undefined;

/**
 * Reads a Kafka header array for a propagator: the first header of a name (as Hono's decoder does), a
 * `Buffer` value as UTF-8.
 */
export const headerGetter: TextMapGetter<HeaderCarrier> = {
  keys(carrier) {
    const keys: string[] = [];
    for (const header of carrier ?? []) {
      for (const key of Object.keys(header)) if (!keys.includes(key)) keys.push(key);
    }
    return keys;
  },
  get(carrier, key) {
    return headerValue(carrier, key);
  },
};

/**
 * The first value of a header.
 *
 * @param headers - the record's headers
 * @param name - the header's name, as written
 * @returns its value as text, or undefined when the record has no such header
 */
export function headerValue(headers: HeaderCarrier, name: string): string | undefined {
  if (headers === undefined) return undefined;
  for (const header of headers) {
    const value = header[name];
    if (value === undefined) continue;
    return typeof value === 'string' ? value : value.toString('utf8');
  }
  return undefined;
}

/** The parts of a `traceparent` header. */
export interface Traceparent {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
}

/**
 * Parses a W3C `traceparent` header: `version-traceid-parentid-flags`, lowercase hex; version `ff` and
 * all-zero ids are invalid; version `00` has exactly four fields, a later version may append more,
 * which are ignored (W3C Trace Context, "Versioning of traceparent").
 *
 * @param value - the header's value
 * @returns its parts, or undefined when it is not valid
 */
export function parseTraceparent(value: string): Traceparent | undefined {
  const context = remoteSpanContext(value, undefined);
  return context === undefined
    ? undefined
    : { traceId: context.traceId, spanId: context.spanId, traceFlags: context.traceFlags };
}

/**
 * The remote span context a `traceparent` header names (see {@link parseTraceparent}): read once per
 * record, so it is checked character by character, without splitting or regular expressions.
 *
 * @param value - the header's value
 * @param traceState - the `tracestate` header, parsed, if any
 * @returns the span context, or undefined when the header is not valid
 */
export function remoteSpanContext(
  value: string,
  traceState: TraceState | undefined,
): SpanContext | undefined {
  let start = 0;
  let end = value.length;
  while (start < end && isWhitespace(value.charCodeAt(start))) start += 1;
  while (end > start && isWhitespace(value.charCodeAt(end - 1))) end -= 1;
  // version(2) - trace id(32) - span id(16) - flags(2): 55 characters, then more fields after a version 00.
  if (end - start < 55) return undefined;
  if (!isLowerHex(value, start, 2) || value.charCodeAt(start + 2) !== dash) return undefined;
  const version = value.slice(start, start + 2);
  if (version === 'ff') return undefined;
  const traceAt = start + 3;
  const spanAt = traceAt + 33;
  const flagsAt = spanAt + 17;
  if (!isLowerHex(value, traceAt, 32) || value.charCodeAt(traceAt + 32) !== dash) return undefined;
  if (!isLowerHex(value, spanAt, 16) || value.charCodeAt(spanAt + 16) !== dash) return undefined;
  if (!isLowerHex(value, flagsAt, 2)) return undefined;
  const after = flagsAt + 2;
  if (after < end && (version === '00' || value.charCodeAt(after) !== dash)) return undefined;
  const traceId = value.slice(traceAt, traceAt + 32);
  const spanId = value.slice(spanAt, spanAt + 16);
  if (allZero(traceId) || allZero(spanId)) return undefined;
  const traceFlags = Number.parseInt(value.slice(flagsAt, after), 16);
  return traceState === undefined
    ? { traceId, spanId, traceFlags, isRemote: true }
    : { traceId, spanId, traceFlags, isRemote: true, traceState };
}

const dash = 0x2d;

/** Whether `length` characters of `value` from `start` are lowercase hex digits. */
function isLowerHex(value: string, start: number, length: number): boolean {
  for (let index = start; index < start + length; index++) {
    const code = value.charCodeAt(index);
    if (!((code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x66))) return false;
  }
  return true;
}

function allZero(hex: string): boolean {
  for (let index = 0; index < hex.length; index++) if (hex.charCodeAt(index) !== 0x30) return false;
  return true;
}

/** The ASCII characters `String.prototype.trim` removes: space, tab, line feed, vertical tab, form feed, CR. */
function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d || code === 0x0b || code === 0x0c;
}

/**
 * The context of the span in which the record was produced (Hono's producer span).
 *
 * @param api - `@opentelemetry/api`
 * @param headers - the record's headers
 * @returns the remote span context, or undefined when the record carries no valid one
 */
export function producerSpanContext(api: OpenTelemetryApi, headers: HeaderCarrier): SpanContext | undefined {
  if (headers === undefined || headers.length === 0) return undefined;
  const extracted: Context = api.propagation.extract(api.ROOT_CONTEXT, headers, headerGetter);
  const fromPropagator = api.trace.getSpanContext(extracted);
  if (fromPropagator !== undefined && api.isSpanContextValid(fromPropagator)) return fromPropagator;
  // No propagator registered (or none that reads W3C headers): read them here.
  const traceparent = headerValue(headers, 'traceparent');
  if (traceparent === undefined) return undefined;
  const tracestate = headerValue(headers, 'tracestate');
  return remoteSpanContext(
    traceparent,
    tracestate === undefined ? undefined : api.createTraceState(tracestate),
  );
}
