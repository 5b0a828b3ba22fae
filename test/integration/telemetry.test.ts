/**
 * OpenTelemetry on the real broker: a record produced with a `traceparent` (as Hono writes it) yields a
 * handler span linked to the producer span, or its child with `traceContext: 'parent'`, with the
 * messaging attributes; the application's own spans in the handler are children of the handler span;
 * metrics count a known workload.
 */
import * as api from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeDataEvent } from '../../src/wire/encode.js';
import { createTestTopic, type TestTopic, waitFor } from './consumer-helpers.js';
import { recordingSdk as sdk, metricTotal as total } from '../support/recording-sdk.js';

/** A producer span of Hono's side, and its `traceparent` header. */
function honoProducerSpan(tracerProvider: BasicTracerProvider): {
  spanContext: api.SpanContext;
  traceparent: string;
} {
  const span = tracerProvider.getTracer('hono').startSpan('forward Event', { kind: api.SpanKind.PRODUCER });
  span.end();
  const spanContext = span.spanContext();
  return { spanContext, traceparent: `00-${spanContext.traceId}-${spanContext.spanId}-01` };
}

let topic: TestTopic | undefined;
afterEach(async () => {
  await topic?.cleanup();
  topic = undefined;
  api.context.disable();
});

function processSpans(spans: readonly ReadableSpan[]): ReadableSpan[] {
  return spans.filter((span) => span.name === 'process hono.event.{tenant_id}');
}

describe('OpenTelemetry on the real broker', () => {
  it.each(['link', 'parent'] as const)(
    "traceContext '%s': the handler span links to Hono's producer span (and is its child with 'parent')",
    async (traceContext) => {
      api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
      const { exporter, tracerProvider, meterProvider } = sdk();
      topic = await createTestTopic(1);
      const producer = honoProducerSpan(tracerProvider);
      await topic.produce([
        encodeDataEvent({
          tenantId: topic.tenant,
          deviceId: 'sensor-1',
          payload: '{"temp":5}',
          contentType: 'application/json',
          traceparent: producer.traceparent,
          tracestate: 'hono=1',
        }),
      ]);
      let handled = false;
      const consumer = topic.consumer({
        clientId: 'telemetry-test',
        telemetry: { tracerProvider, meterProvider, traceContext },
      });
      await consumer.run({
        event: async () => {
          await Promise.resolve();
          tracerProvider.getTracer('application').startSpan('store reading').end();
          handled = true;
        },
      });
      await waitFor(
        () => handled && processSpans(exporter.getFinishedSpans()).length === 1,
        'the handler span',
      );

      const spans = exporter.getFinishedSpans();
      const [span] = processSpans(spans);
      expect(span?.kind).toBe(api.SpanKind.CONSUMER);
      expect(span?.links.map((link) => link.context.spanId)).toStrictEqual([producer.spanContext.spanId]);
      expect(span?.links[0]?.context.traceState?.get('hono')).toBe('1');
      if (traceContext === 'parent') {
        expect(span?.parentSpanContext?.spanId).toBe(producer.spanContext.spanId);
        expect(span?.spanContext().traceId).toBe(producer.spanContext.traceId);
      } else {
        expect(span?.parentSpanContext).toBeUndefined();
        expect(span?.spanContext().traceId).not.toBe(producer.spanContext.traceId);
      }
      expect(span?.attributes).toStrictEqual({
        'messaging.system': 'kafka',
        'messaging.operation.name': 'process',
        'messaging.operation.type': 'process',
        'messaging.consumer.group.name': topic.groupId,
        'messaging.client.id': 'telemetry-test',
        'messaging.destination.name': topic.topic,
        'messaging.destination.template': 'hono.event.{tenant_id}',
        'messaging.destination.partition.id': '0',
        'messaging.kafka.offset': 0,
        'messaging.kafka.message.key': 'sensor-1',
        'hono.tenant_id': topic.tenant,
        'hono.device_id': 'sensor-1',
        'hono.endpoint': 'event',
        'hono.qos': 1,
        'hono.event_type': 'event',
        'hono.content_type': 'application/json',
        'hono.attempt': 1,
      });
      const application = spans.find((found) => found.name === 'store reading');
      expect(application?.parentSpanContext?.spanId).toBe(span?.spanContext().spanId);
      await waitFor(
        () => exporter.getFinishedSpans().some((found) => found.name === 'commit hono.event.{tenant_id}'),
        'a commit span',
      );
    },
  );

  it('counts a known workload: consumed, handled, failed and retried, process durations, commits', async () => {
    const { exporter, tracerProvider, meterProvider, metrics } = sdk();
    topic = await createTestTopic(1);
    const tenant = topic.tenant;
    await topic.produce(
      Array.from({ length: 6 }, (_, index) =>
        encodeDataEvent({ tenantId: tenant, deviceId: `d${String(index % 3)}`, payload: String(index) }),
      ),
    );
    const attempts = new Map<string, number>();
    const consumer = topic.consumer({
      telemetry: { tracerProvider, meterProvider },
      retry: { maxAttempts: 3, initialDelayMs: 10, jitter: 0 },
    });
    const committed = new Map<number, number>();
    consumer.on('committed', (offsets) => {
      for (const { partition, offset } of offsets) committed.set(partition, offset);
    });
    await consumer.run({
      event: (event) => {
        const payload = event.type === 'event' ? event.payload.toString() : '';
        const count = (attempts.get(payload) ?? 0) + 1;
        attempts.set(payload, count);
        if (payload === '4' && count === 1) throw new Error('first attempt fails');
      },
    });
    await waitFor(() => committed.get(0) === 6, 'all six committed');

    const collected = await metrics();
    const records = (outcome: string) =>
      total(collected, 'hono.consumer.records', { 'hono.outcome': outcome });
    expect(total(collected, 'messaging.client.consumed.messages')).toBe(6);
    expect(records('handled')).toBe(6);
    expect(records('failed')).toBe(1);
    expect(records('retried')).toBe(1);
    expect(total(collected, 'messaging.process.duration')).toBe(7);
    expect(total(collected, 'messaging.process.duration', { 'error.type': 'ERR_HONO_HANDLER_FAILED' })).toBe(
      1,
    );
    expect(total(collected, 'messaging.client.operation.duration')).toBeGreaterThan(0);
    expect(total(collected, 'hono.consumer.commit.failures')).toBe(0);
    expect(total(collected, 'hono.consumer.in_flight')).toBe(0);
    expect(total(collected, 'hono.consumer.lag')).toBe(0);
    expect(processSpans(exporter.getFinishedSpans())).toHaveLength(7);
  });
});
