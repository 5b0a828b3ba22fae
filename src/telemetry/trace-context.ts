/**
 * The trace context Hono wrote into a record (W3C `traceparent` and `tracestate` headers): read through
 * the application's propagators when it registered some, else parsed here by the W3C Trace Context rules.
 */
import type { Context, SpanContext, TextMapGetter } from '@opentelemetry/api';
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

const lowerHex = /^[\da-f]+$/;

/**
 * Parses a W3C `traceparent` header: `version-traceid-parentid-flags`, lowercase hex; version `ff` and
 * all-zero ids are invalid; version `00` has exactly four fields, a later version may append more,
 * which are ignored (W3C Trace Context, "Versioning of traceparent").
 *
 * @param value - the header's value
 * @returns its parts, or undefined when it is not valid
 */
export function parseTraceparent(value: string): Traceparent | undefined {
  const fields = value.trim().split('-');
  const [version, traceId, spanId, flags] = fields;
  if (version === undefined || traceId === undefined || spanId === undefined || flags === undefined) {
    return undefined;
  }
  if (version.length !== 2 || !lowerHex.test(version) || version === 'ff') return undefined;
  if (version === '00' && fields.length !== 4) return undefined;
  if (traceId.length !== 32 || !lowerHex.test(traceId) || /^0+$/.test(traceId)) return undefined;
  if (spanId.length !== 16 || !lowerHex.test(spanId) || /^0+$/.test(spanId)) return undefined;
  if (flags.length !== 2 || !lowerHex.test(flags)) return undefined;
  return { traceId, spanId, traceFlags: Number.parseInt(flags, 16) };
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
  const parsed = parseTraceparent(traceparent);
  if (parsed === undefined) return undefined;
  const tracestate = headerValue(headers, 'tracestate');
  return {
    ...parsed,
    isRemote: true,
    ...(tracestate === undefined ? {} : { traceState: api.createTraceState(tracestate) }),
  };
}
