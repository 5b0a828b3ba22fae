/**
 * Reading Hono's trace context from a record's headers: the W3C `traceparent` rules, the header getter,
 * and the application's propagator when it registered one.
 */
import * as api from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { headerGetter, parseTraceparent, producerSpanContext } from '../../../src/telemetry/trace-context.js';

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const spanId = '00f067aa0ba902b7';

afterEach(() => {
  api.propagation.disable();
});

describe('parseTraceparent', () => {
  it('reads version 00 with four fields', () => {
    expect(parseTraceparent(`00-${traceId}-${spanId}-01`)).toStrictEqual({ traceId, spanId, traceFlags: 1 });
    expect(parseTraceparent(` 00-${traceId}-${spanId}-00 `)).toStrictEqual({
      traceId,
      spanId,
      traceFlags: 0,
    });
  });

  it('reads a later version by its first four fields', () => {
    expect(parseTraceparent(`01-${traceId}-${spanId}-03-extra`)).toStrictEqual({
      traceId,
      spanId,
      traceFlags: 3,
    });
  });

  it.each([
    ['version ff', `ff-${traceId}-${spanId}-01`],
    ['version 00 with a fifth field', `00-${traceId}-${spanId}-01-extra`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${spanId}-01`],
    ['an all-zero span id', `00-${traceId}-${'0'.repeat(16)}-01`],
    ['upper-case hex', `00-${traceId.toUpperCase()}-${spanId}-01`],
    ['a short trace id', `00-${traceId.slice(1)}-${spanId}-01`],
    ['a short span id', `00-${traceId}-${spanId.slice(1)}-01`],
    ['bad flags', `00-${traceId}-${spanId}-1`],
    ['three fields', `00-${traceId}-${spanId}`],
    ['text', 'garbage'],
    ['nothing', ''],
  ])('rejects %s', (_name, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });
});

describe('headerGetter', () => {
  it('returns the first header of a name, a Buffer as UTF-8, and lists each name once', () => {
    const headers = [{ traceparent: Buffer.from('first') }, { traceparent: 'second' }, { other: 'x' }];
    expect(headerGetter.get(headers, 'traceparent')).toBe('first');
    expect(headerGetter.get(headers, 'missing')).toBeUndefined();
    expect(headerGetter.get(undefined, 'traceparent')).toBeUndefined();
    expect(headerGetter.keys(headers)).toStrictEqual(['traceparent', 'other']);
  });
});

describe('producerSpanContext', () => {
  const headers = [
    { traceparent: Buffer.from(`00-${traceId}-${spanId}-01`) },
    { tracestate: Buffer.from('hono=abc,other=1') },
  ];

  it('parses traceparent and tracestate itself when no propagator is registered', () => {
    const context = producerSpanContext(api, headers);
    expect(context).toMatchObject({ traceId, spanId, traceFlags: 1, isRemote: true });
    expect(context?.traceState?.get('hono')).toBe('abc');
  });

  it("uses the application's propagator when it registered one", () => {
    // A propagator of another format: it reads its own header through the getter.
    const otherSpanId = 'a1b2c3d4e5f60718';
    const propagator: api.TextMapPropagator = {
      inject: () => undefined,
      extract: (context, carrier, getter) => {
        const value = getter.get(carrier, 'x-span');
        if (typeof value !== 'string') return context;
        return api.trace.setSpanContext(context, { traceId, spanId: value, traceFlags: 0, isRemote: true });
      },
      fields: () => ['x-span'],
    };
    api.propagation.setGlobalPropagator(propagator);
    expect(producerSpanContext(api, [...headers, { 'x-span': otherSpanId }])).toStrictEqual({
      traceId,
      spanId: otherSpanId,
      traceFlags: 0,
      isRemote: true,
    });
    // A propagator that finds nothing leaves the W3C headers to the SDK's own reading.
    expect(producerSpanContext(api, headers)).toMatchObject({ spanId, traceFlags: 1 });
  });

  it('is undefined for records without headers or without a valid traceparent', () => {
    expect(producerSpanContext(api, undefined)).toBeUndefined();
    expect(producerSpanContext(api, [])).toBeUndefined();
    expect(producerSpanContext(api, [{ traceparent: 'nonsense' }])).toBeUndefined();
  });
});
