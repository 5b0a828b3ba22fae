/**
 * A consumer on the fake Kafka with the `telemetry` option: the engine's handler calls, retries, skips
 * and commits come out as spans and metrics; `telemetry: false` records nothing even with SDKs registered.
 */
import * as api from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HonoEventConsumerOptions } from '../../../src/consumer/options.js';
import { encodeDataEvent } from '../../../src/wire/encode.js';
import type { HonoEvent } from '../../../src/wire/types.js';
import { fakeKafka } from '../fakes/fake-kafka.js';
import { fakeKafkaPerTest } from '../fakes/per-test.js';
import { recordingSdk as sdk, metricTotal as total } from '../../support/recording-sdk.js';

const topic = 'hono.event.acme';
const fake = fakeKafkaPerTest([topic]);
const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
const producerTraceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const producerSpanId = '00f067aa0ba902b7';

function eventOf(deviceId: string, payload: string) {
  return encodeDataEvent({
    tenantId: 'acme',
    deviceId,
    endpoint: 'event',
    payload,
    contentType: 'text/plain',
    traceparent: `00-${producerTraceId}-${producerSpanId}-01`,
  });
}

async function started(
  handler: (event: HonoEvent) => Promise<void> | void,
  options: Partial<HonoEventConsumerOptions>,
) {
  const consumer = fake.consumer({
    brokers: 'kafka:9092',
    tenant: 'acme',
    groupId: 'g',
    clientId: 'c',
    endpoints: 'event',
    commitIntervalMs: 100,
    retry: { maxAttempts: 2, initialDelayMs: 1_000, jitter: 0 },
    logger,
    ...options,
  });
  const running = consumer.run({ event: (event) => handler(event) });
  await vi.advanceTimersByTimeAsync(0);
  await running;
  fakeKafka.client.rebalance('assign', [{ topic, partition: 0 }]);
  return consumer;
}

afterEach(() => {
  api.trace.disable();
  api.metrics.disable();
});

describe('a consumer with telemetry', () => {
  it('traces each handler call and retry, the skipped record and the commits, and counts them', async () => {
    const { exporter, tracerProvider, meterProvider, metrics } = sdk();
    const calls = new Map<string, number>();
    await started(
      (event) => {
        const payload = event.type === 'event' ? event.payload.toString() : '';
        const count = (calls.get(payload) ?? 0) + 1;
        calls.set(payload, count);
        if (payload === 'flaky' && count === 1) throw new Error('flaky once');
        if (payload === 'broken') throw new Error('always');
      },
      { telemetry: { tracerProvider, meterProvider, traceContext: 'parent' }, onFailure: 'skip' },
    );
    fakeKafka.broker.append(0, eventOf('a', 'fine'));
    fakeKafka.broker.append(0, eventOf('b', 'flaky'));
    fakeKafka.broker.append(0, eventOf('c', 'broken'));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(fakeKafka.broker.committed(topic, 0)).toBe(3);

    const spans = exporter.getFinishedSpans();
    const process = spans.filter((span) => span.name === 'process hono.event.{tenant_id}');
    const attempts = process
      .filter((span) => span.attributes['hono.outcome'] === undefined)
      .map((span) => [span.attributes['hono.device_id'], span.attributes['hono.attempt'], span.status.code]);
    expect(attempts).toStrictEqual([
      ['a', 1, api.SpanStatusCode.UNSET],
      ['b', 1, api.SpanStatusCode.ERROR],
      ['c', 1, api.SpanStatusCode.ERROR],
      ['b', 2, api.SpanStatusCode.UNSET],
      ['c', 2, api.SpanStatusCode.ERROR],
    ]);
    const skipped = process.filter((span) => span.attributes['hono.outcome'] === 'skipped');
    expect(skipped.map((span) => span.attributes['messaging.kafka.offset'])).toStrictEqual([2]);
    for (const span of process) {
      expect(span.parentSpanContext?.spanId).toBe(producerSpanId);
      expect(span.spanContext().traceId).toBe(producerTraceId);
      expect(span.attributes).toMatchObject({
        'messaging.consumer.group.name': 'g',
        'messaging.client.id': 'c',
        'messaging.destination.name': topic,
      });
    }
    const commits = spans.filter((span) => span.name === 'commit hono.event.{tenant_id}');
    expect(commits.length).toBeGreaterThan(0);
    expect(commits.every((span) => span.kind === api.SpanKind.CLIENT)).toBe(true);

    const collected = await metrics();
    expect(total(collected, 'messaging.client.consumed.messages')).toBe(3);
    expect(total(collected, 'messaging.process.duration')).toBe(5);
    expect(total(collected, 'hono.consumer.records', { 'hono.outcome': 'handled' })).toBe(2);
    expect(total(collected, 'hono.consumer.records', { 'hono.outcome': 'failed' })).toBe(3);
    expect(total(collected, 'hono.consumer.records', { 'hono.outcome': 'retried' })).toBe(2);
    expect(total(collected, 'hono.consumer.records', { 'hono.outcome': 'skipped' })).toBe(1);
    expect(total(collected, 'messaging.client.operation.duration')).toBe(commits.length);
  });

  it('records nothing with telemetry false, though an SDK is registered globally', async () => {
    const { exporter, tracerProvider, meterProvider, metrics } = sdk();
    api.trace.setGlobalTracerProvider(tracerProvider);
    api.metrics.setGlobalMeterProvider(meterProvider);
    let handled = 0;
    await started(
      () => {
        handled += 1;
      },
      { telemetry: false },
    );
    fakeKafka.broker.append(0, eventOf('a', 'fine'));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(handled).toBe(1);
    expect(exporter.getFinishedSpans()).toStrictEqual([]);
    expect((await metrics()).scopeMetrics).toStrictEqual([]);
  });

  it('records through the global SDK by default', async () => {
    const { exporter, tracerProvider } = sdk();
    api.trace.setGlobalTracerProvider(tracerProvider);
    await started(() => undefined, {});
    fakeKafka.broker.append(0, eventOf('a', 'fine'));
    await vi.advanceTimersByTimeAsync(1_000);
    const [span] = exporter.getFinishedSpans().filter((found) => found.name.startsWith('process'));
    expect(span?.parentSpanContext).toBeUndefined();
    expect(span?.links.map((link) => link.context.spanId)).toStrictEqual([producerSpanId]);
  });
});
