/**
 * The OpenTelemetry observer's metrics after a known workload, and what it records without a registered
 * SDK (nothing) or with `telemetry: false` (no observer at all).
 */
import * as api from '@opentelemetry/api';
import { MeterProvider, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import type { HealthSnapshot } from '../../../src/engine/health.js';
import { CommitError, HandlerError } from '../../../src/errors.js';
import type { WorkItem } from '../../../src/processing/work-item.js';
import type { ConsumerObserverConfig } from '../../../src/telemetry/config.js';
import { consumerObserver } from '../../../src/telemetry/consumer-observer.js';
import { openTelemetryObserver } from '../../../src/telemetry/otel.js';
import type { ResolvedTelemetry } from '../../../src/telemetry/options.js';
import type { KafkaRecord } from '../../../src/types.js';
import { decodeEvent } from '../../../src/wire/decode.js';
import { encodeDataEvent } from '../../../src/wire/encode.js';
import { PullReader, metricTotal as total } from '../../support/recording-sdk.js';

function meterSdk() {
  const reader = new PullReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  return { meterProvider, metrics: async () => (await reader.collect()).resourceMetrics };
}

function traceSdk() {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { tracerProvider, exporter };
}

let healthReads = 0;
let health: HealthSnapshot = {
  state: 'running',
  connected: true,
  partitions: [],
  inFlight: 0,
  buffered: 0,
  lastPollAt: undefined,
  lastCommitAt: undefined,
};

function configOf(telemetry: ResolvedTelemetry): ConsumerObserverConfig {
  return {
    telemetry,
    groupId: 'group-1',
    clientId: 'client-1',
    destinationTemplate: (topic) => topic.replace(/^hono\.(event|telemetry)\..*$/, 'hono.$1.{tenant_id}'),
    health: () => {
      healthReads += 1;
      return health;
    },
  };
}

function recordOf(tenantId: string, offset: number): KafkaRecord {
  const encoded = encodeDataEvent({ tenantId, deviceId: 'd', endpoint: 'event', payload: 'x' });
  return { ...encoded, partition: 0, offset, timestamp: Date.now() };
}

function itemOf(record: KafkaRecord): WorkItem {
  return { record, decoded: decodeEvent(record), atMostOnce: false } as unknown as WorkItem;
}

interface Point {
  readonly attributes: api.Attributes;
  readonly value: number | { count: number; sum?: number; buckets: { boundaries: number[] } };
}

function points(metrics: ResourceMetrics, name: string): Point[] {
  const metric = metrics.scopeMetrics
    .flatMap((scope) => scope.metrics)
    .find((found) => found.descriptor.name === name);
  return (metric?.dataPoints ?? []) as Point[];
}

afterEach(() => {
  api.trace.disable();
  api.metrics.disable();
});

describe('metrics', () => {
  it('count a known workload: consumed, process durations, records by outcome, commits', async () => {
    const { meterProvider, metrics } = meterSdk();
    const observer = await openTelemetryObserver(
      configOf({ tracerProvider: undefined, meterProvider, traceContext: 'link' }),
    );
    if (observer === undefined) throw new Error('no observer');
    const records = [recordOf('a', 0), recordOf('a', 1), recordOf('b', 0), { ...recordOf('a', 2) }];
    observer.fetched(records);
    observer.fetched([]);
    const [first, second, third] = records as [KafkaRecord, KafkaRecord, KafkaRecord];
    observer.handlerStarted(itemOf(first), 1)?.end(undefined);
    observer.handlerStarted(itemOf(second), 1)?.end(undefined);
    const failure = HandlerError.failed(third, 1, new Error('no'));
    observer.handlerStarted(itemOf(third), 1)?.end(failure);
    observer.event('retrying', { ...third, attempt: 1, delayMs: 100, error: failure });
    observer.handlerStarted(itemOf(third), 2)?.end(failure);
    observer.event('skipped', { topic: third.topic, partition: 0, offset: 0, error: failure });
    observer.event('expired', decodeEvent(recordOf('a', 3)));
    observer.event('deadLettered', {
      topic: 'hono.event.a',
      partition: 0,
      offset: 9,
      error: failure,
      deadLetterTopic: 'hono.event.a.dlq',
    });
    const positions = [{ topic: 'hono.event.a', partition: 0, offset: 2 }];
    observer.committed(positions, 20, undefined);
    observer.committed(positions, 30, new CommitError('no answer', positions));

    // No poll came after the handler calls: their outcomes reach the counter at the collection.
    const collected = await metrics();
    const template = { 'messaging.destination.template': 'hono.event.{tenant_id}' };
    expect(total(collected, 'messaging.client.consumed.messages', template)).toBe(4);
    expect(points(collected, 'messaging.client.consumed.messages')[0]?.attributes).toStrictEqual({
      'messaging.system': 'kafka',
      'messaging.consumer.group.name': 'group-1',
      'messaging.operation.name': 'poll',
      'messaging.operation.type': 'receive',
      ...template,
    });
    expect(total(collected, 'messaging.process.duration')).toBe(4);
    expect(total(collected, 'messaging.process.duration', { 'error.type': failure.code })).toBe(2);
    const [duration] = points(collected, 'messaging.process.duration');
    expect(typeof duration?.value === 'object' && duration.value.buckets.boundaries).toStrictEqual([
      0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
    ]);
    const outcomes = Object.fromEntries(
      ['handled', 'failed', 'retried', 'skipped', 'dead_lettered', 'expired'].map((outcome) => [
        outcome,
        total(collected, 'hono.consumer.records', { 'hono.outcome': outcome }),
      ]),
    );
    expect(outcomes).toStrictEqual({
      handled: 2,
      failed: 2,
      retried: 1,
      skipped: 1,
      dead_lettered: 1,
      expired: 1,
    });
    expect(
      total(collected, 'messaging.client.operation.duration', { 'messaging.operation.name': 'commit' }),
    ).toBe(2);
    expect(total(collected, 'hono.consumer.commit.failures')).toBe(1);
    expect(points(collected, 'hono.consumer.commit.failures')[0]?.attributes['error.type']).toBe(
      'ERR_HONO_COMMIT_FAILED',
    );

    // An outcome counted after the last collection is added when the consumer stops.
    observer.handlerStarted(itemOf(first), 1)?.end(undefined);
    observer.close?.();
    expect(total(await metrics(), 'hono.consumer.records', { 'hono.outcome': 'handled' })).toBe(3);
  });

  it('observe the health gauges (in flight, paused partitions, lag per partition) until close()', async () => {
    const { meterProvider, metrics } = meterSdk();
    const observer = await openTelemetryObserver(
      configOf({ tracerProvider: undefined, meterProvider, traceContext: 'link' }),
    );
    health = {
      ...health,
      inFlight: 7,
      partitions: [
        {
          topic: 'hono.event.a',
          partition: 0,
          committable: 5,
          committed: 3,
          lag: 12,
          pausedFor: ['backlog'],
        },
        {
          topic: 'hono.event.a',
          partition: 1,
          committable: undefined,
          committed: undefined,
          lag: undefined,
          pausedFor: [],
        },
        { topic: 'hono.event.b', partition: 0, committable: 1, committed: 1, lag: 0, pausedFor: [] },
      ],
    };
    healthReads = 0;
    const collected = await metrics();
    expect(total(collected, 'hono.consumer.in_flight')).toBe(7);
    expect(total(collected, 'hono.consumer.paused_partitions')).toBe(1);
    expect(
      points(collected, 'hono.consumer.lag').map((point) => [point.attributes, point.value]),
    ).toStrictEqual([
      [
        {
          'messaging.system': 'kafka',
          'messaging.consumer.group.name': 'group-1',
          'messaging.destination.name': 'hono.event.a',
          'messaging.destination.partition.id': '0',
        },
        12,
      ],
      [
        {
          'messaging.system': 'kafka',
          'messaging.consumer.group.name': 'group-1',
          'messaging.destination.name': 'hono.event.b',
          'messaging.destination.partition.id': '0',
        },
        0,
      ],
    ]);
    // Closed, the observer no longer reads the consumer's health: the gauges' callback is gone.
    observer?.close?.();
    health = { ...health, inFlight: 3 };
    const afterClose = await metrics();
    expect(total(afterClose, 'hono.consumer.in_flight')).not.toBe(3);
    expect(healthReads).toBe(1);
  });
});

describe('without a registered SDK', () => {
  it('records nothing, and handlerStarted returns undefined', async () => {
    const observer = await openTelemetryObserver(
      configOf({ tracerProvider: undefined, meterProvider: undefined, traceContext: 'link' }),
    );
    expect(observer).toBeDefined();
    const record = recordOf('a', 0);
    observer?.fetched([record]);
    expect(observer?.handlerStarted(itemOf(record), 1)).toBeUndefined();
    expect(() => {
      observer?.committed([{ topic: 'hono.event.a', partition: 0, offset: 1 }], 5, undefined);
      observer?.event('expired', decodeEvent(record));
      observer?.close?.();
    }).not.toThrow();
  });

  it('picks up an SDK the application registers after the consumer started, at the next poll', async () => {
    const observer = await openTelemetryObserver(
      configOf({ tracerProvider: undefined, meterProvider: undefined, traceContext: 'link' }),
    );
    const record = recordOf('a', 0);
    expect(observer?.handlerStarted(itemOf(record), 1)).toBeUndefined();
    const { tracerProvider, exporter } = traceSdk();
    const { meterProvider, metrics } = meterSdk();
    api.trace.setGlobalTracerProvider(tracerProvider);
    api.metrics.setGlobalMeterProvider(meterProvider);
    observer?.fetched([record]);
    observer?.handlerStarted(itemOf(record), 1)?.end(undefined);
    expect(exporter.getFinishedSpans().map((span) => span.name)).toStrictEqual([
      'process hono.event.{tenant_id}',
    ]);
    const collected = await metrics();
    expect(total(collected, 'messaging.client.consumed.messages')).toBe(1);
    expect(total(collected, 'hono.consumer.records', { 'hono.outcome': 'handled' })).toBe(1);
    observer?.close?.();
  });
});

describe('telemetry: false', () => {
  it('makes no OpenTelemetry observer, and the consumer observer records nothing with SDKs registered', async () => {
    const { tracerProvider, exporter } = traceSdk();
    const { meterProvider, metrics } = meterSdk();
    api.trace.setGlobalTracerProvider(tracerProvider);
    api.metrics.setGlobalMeterProvider(meterProvider);
    expect(await openTelemetryObserver(configOf(false))).toBeUndefined();
    const observer = await consumerObserver(configOf(false));
    const record = recordOf('a', 0);
    observer.fetched([record]);
    observer.handlerStarted(itemOf(record), 1)?.end(undefined);
    observer.committed([{ topic: 'hono.event.a', partition: 0, offset: 1 }], 5, undefined);
    observer.close?.();
    expect(exporter.getFinishedSpans()).toStrictEqual([]);
    expect((await metrics()).scopeMetrics).toStrictEqual([]);
  });
});
