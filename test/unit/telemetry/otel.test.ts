/**
 * The OpenTelemetry observer, called as the engine calls it: handler spans linked to (or the children of)
 * Hono's producer span, outcome and commit spans, metric counts after a known workload, and nothing at
 * all without a registered SDK or with `telemetry: false`.
 */
import { readFileSync } from 'node:fs';
import * as api from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterEach, describe, expect, it } from 'vitest';
import type { HealthSnapshot } from '../../../src/engine/health.js';
import type { EngineObserver } from '../../../src/engine/observer.js';
import { CommitError, DecodeError, DecodeErrorCode, HandlerError } from '../../../src/errors.js';
import type { WorkItem } from '../../../src/processing/work-item.js';
import type { ConsumerObserverConfig } from '../../../src/telemetry/config.js';
import { openTelemetryObserver } from '../../../src/telemetry/otel.js';
import type { ResolvedTelemetry } from '../../../src/telemetry/options.js';
import type { KafkaRecord } from '../../../src/types.js';
import { decodeCommandResponse } from '../../../src/wire/command-decode.js';
import { encodeCommandResponse } from '../../../src/wire/commands.js';
import { decodeEvent } from '../../../src/wire/decode.js';
import { encodeDataEvent, encodeEmptyNotification } from '../../../src/wire/encode.js';
import { recordingSdk as sdk } from '../../support/recording-sdk.js';

const packageVersion = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
const producerTraceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const producerSpanId = '00f067aa0ba902b7';
const traceparent = `00-${producerTraceId}-${producerSpanId}-01`;

const idleHealth: HealthSnapshot = {
  state: 'running',
  connected: true,
  partitions: [],
  inFlight: 0,
  buffered: 0,
  lastPollAt: undefined,
  lastCommitAt: undefined,
};

function configOf(
  telemetry: ResolvedTelemetry,
  health: () => HealthSnapshot = () => idleHealth,
): ConsumerObserverConfig {
  return {
    telemetry,
    groupId: 'group-1',
    clientId: 'client-1',
    destinationTemplate: (topic) =>
      topic.startsWith('hono.command_response.')
        ? 'hono.command_response.{tenant_id}'
        : topic.replace(/^hono\.(event|telemetry)\..*$/, 'hono.$1.{tenant_id}'),
    health,
  };
}

function recordOf(encoded: ReturnType<typeof encodeDataEvent>, offset = 5, partition = 2): KafkaRecord {
  return { ...encoded, partition, offset, timestamp: Date.now() };
}

function itemOf(record: KafkaRecord, decode: (record: KafkaRecord) => unknown = decodeEvent): WorkItem {
  return { record, decoded: decode(record), atMostOnce: false } as unknown as WorkItem;
}

function eventRecord(init: { traceparent?: string; offset?: number } = {}): KafkaRecord {
  return recordOf(
    encodeDataEvent({
      tenantId: 'acme',
      deviceId: 'd-1',
      endpoint: 'event',
      payload: 'hello',
      contentType: 'text/plain',
      ...(init.traceparent === undefined ? {} : { traceparent: init.traceparent }),
    }),
    init.offset,
  );
}

async function observerFor(config: ConsumerObserverConfig): Promise<EngineObserver> {
  const observer = await openTelemetryObserver(config);
  if (observer === undefined) throw new Error('no observer');
  return observer;
}

afterEach(() => {
  api.trace.disable();
  api.metrics.disable();
  api.context.disable();
  api.propagation.disable();
});

describe('handler spans', () => {
  it('are CONSUMER spans named after the destination template, a new root linked to the producer span', async () => {
    const { tracerProvider, meterProvider, spans } = sdk();
    const observer = await observerFor(configOf({ tracerProvider, meterProvider, traceContext: 'link' }));
    const observation = observer.handlerStarted(itemOf(eventRecord({ traceparent })), 1);
    expect(observation).toBeDefined();
    observation?.run(() => undefined);
    observation?.end(undefined);

    const [span] = spans();
    expect(span?.name).toBe('process hono.event.{tenant_id}');
    expect(span?.kind).toBe(api.SpanKind.CONSUMER);
    expect(span?.parentSpanContext).toBeUndefined();
    expect(span?.spanContext().traceId).not.toBe(producerTraceId);
    expect(span?.links.map((link) => link.context.spanId)).toStrictEqual([producerSpanId]);
    expect(span?.links[0]?.context.traceId).toBe(producerTraceId);
    expect(span?.status.code).toBe(api.SpanStatusCode.UNSET);
    expect(span?.instrumentationScope).toMatchObject({ name: 'eclipse-hono-kafka', version: packageVersion });
    expect(span?.attributes).toStrictEqual({
      'messaging.system': 'kafka',
      'messaging.operation.name': 'process',
      'messaging.operation.type': 'process',
      'messaging.consumer.group.name': 'group-1',
      'messaging.client.id': 'client-1',
      'messaging.destination.name': 'hono.event.acme',
      'messaging.destination.template': 'hono.event.{tenant_id}',
      'messaging.destination.partition.id': '2',
      'messaging.kafka.offset': 5,
      'messaging.kafka.message.key': 'd-1',
      'hono.tenant_id': 'acme',
      'hono.device_id': 'd-1',
      'hono.endpoint': 'event',
      'hono.qos': 1,
      'hono.event_type': 'event',
      'hono.content_type': 'text/plain',
      'hono.attempt': 1,
    });
  });

  it("continue Hono's trace as the producer span's child with traceContext 'parent', and link to it too", async () => {
    const { tracerProvider, meterProvider, spans } = sdk();
    const observer = await observerFor(configOf({ tracerProvider, meterProvider, traceContext: 'parent' }));
    const observation = observer.handlerStarted(itemOf(eventRecord({ traceparent })), 1);
    observation?.end(undefined);
    const [span] = spans();
    expect(span?.spanContext().traceId).toBe(producerTraceId);
    expect(span?.parentSpanContext?.spanId).toBe(producerSpanId);
    expect(span?.parentSpanContext?.isRemote).toBe(true);
    expect(span?.links.map((link) => link.context.spanId)).toStrictEqual([producerSpanId]);
  });

  it('are new roots without links for records without a valid traceparent', async () => {
    const { tracerProvider, spans } = sdk();
    const observer = await observerFor(
      configOf({ tracerProvider, meterProvider: undefined, traceContext: 'parent' }),
    );
    for (const header of [undefined, `00-${'0'.repeat(32)}-${producerSpanId}-01`, 'garbage']) {
      observer
        .handlerStarted(itemOf(eventRecord(header === undefined ? {} : { traceparent: header })), 1)
        ?.end(undefined);
    }
    expect(spans()).toHaveLength(3);
    for (const span of spans()) {
      expect(span.parentSpanContext).toBeUndefined();
      expect(span.links).toStrictEqual([]);
    }
  });

  it("run the handler with the span as the active one, so that the application's spans are its children", async () => {
    api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const { tracerProvider, spans } = sdk();
    const observer = await observerFor(
      configOf({ tracerProvider, meterProvider: undefined, traceContext: 'link' }),
    );
    const observation = observer.handlerStarted(itemOf(eventRecord({ traceparent })), 1);
    await observation?.run(async () => {
      await Promise.resolve();
      tracerProvider.getTracer('application').startSpan('save').end();
    });
    observation?.end(undefined);
    const [save, process] = spans();
    expect(save?.name).toBe('save');
    expect(save?.parentSpanContext?.spanId).toBe(process?.spanContext().spanId);
  });

  it('record a failure: status ERROR, error.type the code, the exception; each attempt its own span', async () => {
    const { tracerProvider, spans } = sdk();
    const observer = await observerFor(
      configOf({ tracerProvider, meterProvider: undefined, traceContext: 'link' }),
    );
    const record = eventRecord({ traceparent });
    const error = HandlerError.failed(record, 1, new Error('database down'));
    observer.handlerStarted(itemOf(record), 1)?.end(error);
    observer.handlerStarted(itemOf(record), 2)?.end(undefined);
    const [failed, succeeded] = spans();
    expect(failed?.status).toStrictEqual({ code: api.SpanStatusCode.ERROR, message: error.message });
    expect(failed?.attributes['error.type']).toBe(error.code);
    expect(failed?.attributes['hono.attempt']).toBe(1);
    expect(failed?.events.map((event) => event.name)).toStrictEqual(['exception']);
    expect(succeeded?.attributes['hono.attempt']).toBe(2);
    expect(succeeded?.status.code).toBe(api.SpanStatusCode.UNSET);
  });

  it('mark a tombstone and leave out a null key', async () => {
    const { tracerProvider, spans } = sdk();
    const observer = await observerFor(
      configOf({ tracerProvider, meterProvider: undefined, traceContext: 'link' }),
    );
    const encoded = encodeEmptyNotification({ tenantId: 'acme', deviceId: 'd-2', endpoint: 'event' });
    const record: KafkaRecord = { ...recordOf(encoded), key: null };
    observer
      .handlerStarted(
        itemOf(record, () => ({ deviceId: 'd-2' })),
        1,
      )
      ?.end(undefined);
    const [span] = spans();
    expect(record.value).toBeNull();
    expect(span?.attributes['messaging.kafka.message.tombstone']).toBe(true);
    expect(span?.attributes).not.toHaveProperty('messaging.kafka.message.key');
  });

  it('carry the correlation id of a command response as the conversation id', async () => {
    const { tracerProvider, spans } = sdk();
    const observer = await observerFor(
      configOf({ tracerProvider, meterProvider: undefined, traceContext: 'link' }),
    );
    const encoded = encodeCommandResponse({
      tenantId: 'acme',
      deviceId: 'd-3',
      correlationId: 'c-42',
      status: 200,
    });
    const record = recordOf(encoded);
    observer.handlerStarted(itemOf(record, decodeCommandResponse), 1)?.end(undefined);
    const [span] = spans();
    expect(span?.name).toBe('process hono.command_response.{tenant_id}');
    expect(span?.attributes).toMatchObject({
      'messaging.message.conversation_id': 'c-42',
      'hono.tenant_id': 'acme',
      'hono.device_id': 'd-3',
      'hono.status': 200,
    });
  });
});

describe('outcome and commit spans', () => {
  it('record skipped, dead-lettered and expired records as zero-length process spans', async () => {
    const { tracerProvider, spans } = sdk();
    const observer = await observerFor(
      configOf({ tracerProvider, meterProvider: undefined, traceContext: 'parent' }),
    );
    const failing = eventRecord({ traceparent, offset: 7 });
    const error = HandlerError.failed(failing, 3, new Error('no'));
    observer.handlerStarted(itemOf(failing), 3)?.end(error);
    observer.event('deadLettered', {
      ...coordinatesOf(failing),
      error,
      deadLetterTopic: 'hono.event.acme.dlq',
    });

    const undecodable: KafkaRecord = {
      ...eventRecord({ traceparent, offset: 8 }),
      headers: [{ traceparent }],
    };
    const decodeError = new DecodeError(DecodeErrorCode.MissingHeader, 'no device_id', undecodable, {
      header: 'device_id',
    });
    observer.event('skipped', { ...coordinatesOf(undecodable), error: decodeError });

    observer.event('expired', decodeEvent(eventRecord({ traceparent, offset: 9 })));

    const [, deadLettered, skipped, expired] = spans();
    expect(deadLettered?.name).toBe('process hono.event.{tenant_id}');
    expect(deadLettered?.attributes).toMatchObject({
      'hono.outcome': 'dead_lettered',
      'hono.dead_letter_topic': 'hono.event.acme.dlq',
      'messaging.kafka.offset': 7,
      'hono.device_id': 'd-1',
      'error.type': error.code,
    });
    expect(deadLettered?.status.code).toBe(api.SpanStatusCode.ERROR);
    expect(skipped?.attributes).toMatchObject({ 'hono.outcome': 'skipped', 'messaging.kafka.offset': 8 });
    expect(expired?.attributes).toMatchObject({ 'hono.outcome': 'expired', 'messaging.kafka.offset': 9 });
    expect(expired?.status.code).toBe(api.SpanStatusCode.UNSET);
    for (const span of [deadLettered, skipped, expired]) {
      expect(span?.kind).toBe(api.SpanKind.CONSUMER);
      expect(span?.parentSpanContext?.spanId).toBe(producerSpanId);
      expect(span?.links[0]?.context.spanId).toBe(producerSpanId);
      expect(span?.duration).toStrictEqual([0, 0]);
    }
  });

  it('record commits as CLIENT settle spans, ERROR when the broker did not confirm', async () => {
    const { tracerProvider, spans } = sdk();
    const observer = await observerFor(
      configOf({ tracerProvider, meterProvider: undefined, traceContext: 'link' }),
    );
    const positions = [
      { topic: 'hono.event.acme', partition: 0, offset: 10 },
      { topic: 'hono.event.acme', partition: 1, offset: 4 },
    ];
    observer.committed(positions, 12, undefined);
    observer.committed(positions, 10_000, new CommitError('no answer', positions));
    const [confirmed, failed] = spans();
    expect(confirmed?.name).toBe('commit hono.event.{tenant_id}');
    expect(confirmed?.kind).toBe(api.SpanKind.CLIENT);
    expect(confirmed?.attributes).toMatchObject({
      'messaging.operation.name': 'commit',
      'messaging.operation.type': 'settle',
      'messaging.consumer.group.name': 'group-1',
      'hono.commit.partition_count': 2,
    });
    const [seconds, nanoseconds] = confirmed?.duration ?? [0, 0];
    expect(seconds * 1000 + nanoseconds / 1e6).toBeCloseTo(12, 0);
    expect(failed?.status.code).toBe(api.SpanStatusCode.ERROR);
    expect(failed?.attributes['error.type']).toBe('ERR_HONO_COMMIT_FAILED');
  });
});

function coordinatesOf(record: KafkaRecord) {
  return { topic: record.topic, partition: record.partition, offset: record.offset };
}
