/**
 * The command client's spans, metrics and diagnostics channels, on the fake producer and response reader:
 * the command carries its send span's `traceparent`, the response span is the send span's child linked
 * to the response's own context, the metrics count each outcome, and nothing is written or recorded with
 * `telemetry: false` or without an SDK.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import * as api from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClientMessage } from '../../../src/engine/client.js';
import { HonoCommandClient, withCommandClients } from '../../../src/commands/hono-command-client.js';
import { isCommandError } from '../../../src/errors.js';
import {
  type CommandResponseMessage,
  type CommandSentMessage,
  diagnosticsChannels,
} from '../../../src/telemetry/channels.js';
import { loadOpenTelemetry } from '../../../src/telemetry/otel-api.js';
import {
  decodeCommand,
  type DecodedCommand,
  encodeCommandResponse,
  encodeDeliveryFailure,
} from '../../../src/wire/commands.js';
import { packageVersion } from '../../../src/version.js';
import { fakeProducers } from '../fakes/fake-producer.js';
import { FakeReader, tenant } from '../commands/fake-reader.js';
import { recordingSdk as sdk } from '../../support/recording-sdk.js';

const deviceTraceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const deviceSpanId = '00f067aa0ba902b7';
const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** The data points of a metric, each as its attributes and its value (a histogram: its count). */
function points(metrics: ResourceMetrics, name: string): { attributes: api.Attributes; value: number }[] {
  const found = metrics.scopeMetrics
    .flatMap((scope) => scope.metrics)
    .filter((metric) => metric.descriptor.name === name);
  return found.flatMap((metric) =>
    metric.dataPoints.map((point) => ({
      attributes: point.attributes,
      value: typeof point.value === 'number' ? point.value : (point.value as { count: number }).count,
    })),
  );
}

let readers: FakeReader[];
let producers: ReturnType<typeof fakeProducers>;
let offset: number;
const clients: HonoCommandClient[] = [];

function newClient(options: Partial<ConstructorParameters<typeof HonoCommandClient>[0]> = {}) {
  const client = withCommandClients(
    {
      producer: (_settings, listeners) => producers.make(listeners),
      responseReader: (settings, listeners) => {
        const reader = new FakeReader(settings, listeners);
        if (settings['group.id'] !== 'settings-check') readers.push(reader);
        return reader;
      },
      isUnknownTopic: () => false,
    },
    () => new HonoCommandClient({ brokers: 'kafka:9092', logger: quiet, ...options }),
  );
  clients.push(client);
  return client;
}

/** The records written so far, with their headers. */
function writtenRecords() {
  return producers.made[0]?.acknowledged ?? [];
}

/** The commands written so far, decoded as Hono's router reads them. */
function written(): DecodedCommand[] {
  return writtenRecords().map((record, index) => {
    const decoded = decodeCommand({ ...record, partition: 0, offset: index, headers: record.headers });
    if ('kind' in decoded) throw new Error(decoded.reason);
    return decoded;
  });
}

/** A header of a written record, as text. */
function headerOf(index: number, name: string): string | undefined {
  const record = writtenRecords().at(index);
  const header = record?.headers.find((candidate) => name in candidate);
  return header?.[name]?.toString();
}

/** The response to a command, with the device's trace context. */
function responseTo(command: DecodedCommand, status = 200): ClientMessage {
  const record = encodeCommandResponse({
    tenantId: tenant,
    deviceId: command.deviceId,
    correlationId: command.correlationId ?? '',
    status,
    payload: 'ok',
    contentType: 'text/plain',
  });
  const headers = [...record.headers, { traceparent: Buffer.from(`00-${deviceTraceId}-${deviceSpanId}-01`) }];
  return { ...record, headers, partition: 1, offset: offset++ };
}

/** A request answered with `status`, on a client with a reader of two partitions. */
async function answeredRequest(client: HonoCommandClient, status = 200) {
  const response = client.request({ tenant, deviceId: '4711', name: 'getState', payload: 'ping' });
  await vi.advanceTimersByTimeAsync(200);
  readers[0]?.assignPartitions(2);
  await vi.advanceTimersByTimeAsync(200);
  const command = written().at(-1);
  if (command === undefined) throw new Error('no command written');
  readers[0]?.queue.push(responseTo(command, status));
  await vi.advanceTimersByTimeAsync(200);
  return { command, response: await response };
}

beforeAll(async () => {
  await loadOpenTelemetry();
});

beforeEach(() => {
  vi.useFakeTimers();
  readers = [];
  producers = fakeProducers();
  offset = 0;
});

afterEach(async () => {
  const closing = Promise.all(clients.splice(0).map((client) => client.close()));
  await vi.advanceTimersByTimeAsync(1_000);
  await closing;
  vi.useRealTimers();
  api.trace.disable();
  api.metrics.disable();
  api.context.disable();
});

describe('command tracing', () => {
  it('writes the send span into the request and makes the response span its child, linked to the response', async () => {
    const telemetry = sdk();
    const client = newClient({ telemetry: telemetry.options });
    const { command, response } = await answeredRequest(client);
    expect(response.status).toBe(200);

    const send = telemetry.spans().find((span) => span.name === 'send hono.command.{tenant_id}');
    const processed = telemetry
      .spans()
      .find((span) => span.name === 'process hono.command_response.{tenant_id}');
    if (send === undefined || processed === undefined) throw new Error('spans missing');
    expect(send.kind).toBe(api.SpanKind.PRODUCER);
    // The same instrumentation scope as the consumers', with the package's version.
    expect(send.instrumentationScope).toMatchObject({ name: 'eclipse-hono-kafka', version: packageVersion });
    expect(send.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.operation.name': 'send',
      'messaging.operation.type': 'send',
      'messaging.destination.name': `hono.command.${tenant}`,
      'messaging.destination.template': 'hono.command.{tenant_id}',
      'messaging.message.conversation_id': command.correlationId,
      'hono.tenant_id': tenant,
      'hono.device_id': '4711',
      'hono.command.name': 'getState',
      'hono.command.kind': 'request',
    });
    expect(send.status.code).toBe(api.SpanStatusCode.UNSET);
    const { traceId, spanId } = send.spanContext();
    expect(headerOf(0, 'traceparent')).toBe(`00-${traceId}-${spanId}-01`);

    expect(processed.kind).toBe(api.SpanKind.CONSUMER);
    expect(processed.spanContext().traceId).toBe(traceId);
    expect(processed.parentSpanContext?.spanId).toBe(spanId);
    expect(processed.links.map((link) => link.context.spanId)).toEqual([deviceSpanId]);
    expect(processed.links[0]?.context.traceId).toBe(deviceTraceId);
    expect(processed.attributes).toMatchObject({
      'messaging.operation.type': 'process',
      'messaging.destination.name': `hono.command_response.${tenant}`,
      'messaging.destination.partition.id': '1',
      'messaging.kafka.offset': 0,
      'messaging.message.conversation_id': command.correlationId,
      'hono.command.status': 200,
      'hono.command.outcome': 'response',
    });

    const metrics = await telemetry.metrics();
    expect(points(metrics, 'messaging.client.sent.messages')).toEqual([
      {
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.name': 'send',
          'messaging.destination.template': 'hono.command.{tenant_id}',
        },
        value: 1,
      },
    ]);
    expect(points(metrics, 'hono.command.duration')).toEqual([
      {
        attributes: expect.objectContaining({
          'hono.command.kind': 'request',
          'hono.command.outcome': 'response',
        }) as unknown,
        value: 1,
      },
    ]);
  });

  it('marks a delivery failure on the response span and in the metrics', async () => {
    const telemetry = sdk();
    const client = newClient({ telemetry: telemetry.options });
    const request = client.request({ tenant, deviceId: '4711', name: 'getState' });
    await vi.advanceTimersByTimeAsync(200);
    readers[0]?.assignPartitions(1);
    await vi.advanceTimersByTimeAsync(200);
    const [command] = written();
    if (command === undefined) throw new Error('no command written');
    const failure = encodeDeliveryFailure({
      tenantId: tenant,
      deviceId: '4711',
      correlationId: command.correlationId ?? '',
      status: 503,
      error: 'no consumer available',
    });
    readers[0]?.queue.push({ ...failure, partition: 0, offset: 0 });
    await vi.advanceTimersByTimeAsync(200);
    await expect(request).resolves.toMatchObject({ kind: 'deliveryFailure', status: 503 });

    const processed = telemetry.spans().find((span) => span.name.startsWith('process'));
    expect(processed?.status).toEqual({ code: api.SpanStatusCode.ERROR, message: 'no consumer available' });
    expect(processed?.attributes).toMatchObject({
      'hono.command.status': 503,
      'hono.command.outcome': 'delivery_failure',
    });
    expect(processed?.links).toEqual([]);
    const durations = points(await telemetry.metrics(), 'hono.command.duration');
    expect(durations.map((point) => point.attributes['hono.command.outcome'])).toEqual(['delivery_failure']);
  });

  it('ends the send span of a one-way command on its acknowledgement, and with an error on its timeout', async () => {
    const telemetry = sdk();
    const client = newClient({ telemetry: telemetry.options });
    await client.sendOneWay({ tenant, deviceId: '4711', name: 'reboot' });
    const [send] = telemetry.spans();
    expect(send?.attributes['hono.command.kind']).toBe('one_way');
    expect(send?.attributes['messaging.message.conversation_id']).toBeUndefined();
    expect(headerOf(0, 'traceparent')).toBe(
      `00-${send?.spanContext().traceId}-${send?.spanContext().spanId}-01`,
    );

    const producer = producers.made[0];
    if (producer === undefined) throw new Error('no producer');
    producer.sendBehaviour = 'hang';
    const timedOut = client.sendOneWay({ tenant, deviceId: '4711', name: 'reboot', timeoutMs: 1_000 });
    const rejected = expect(timedOut).rejects.toSatisfy(isCommandError);
    await vi.advanceTimersByTimeAsync(1_100);
    await rejected;
    const failed = telemetry.spans()[1];
    expect(failed?.status.code).toBe(api.SpanStatusCode.ERROR);
    expect(failed?.attributes['error.type']).toBe('ERR_HONO_COMMAND_TIMEOUT');

    const metrics = await telemetry.metrics();
    expect(
      points(metrics, 'messaging.client.sent.messages').map((point) => [
        point.attributes['error.type'],
        point.value,
      ]),
    ).toEqual([
      [undefined, 1],
      ['ERR_HONO_COMMAND_TIMEOUT', 1],
    ]);
    expect(
      points(metrics, 'hono.command.duration').map((point) => point.attributes['hono.command.outcome']),
    ).toEqual(['acknowledged', 'timeout']);
  });

  it('makes no response span for a request that timed out after its acknowledgement', async () => {
    const telemetry = sdk();
    const client = newClient({ telemetry: telemetry.options, requestTimeoutMs: 2_000 });
    const request = client.request({ tenant, deviceId: '4711', name: 'getState' });
    const rejected = expect(request).rejects.toSatisfy(isCommandError);
    await vi.advanceTimersByTimeAsync(200);
    readers[0]?.assignPartitions(1);
    await vi.advanceTimersByTimeAsync(2_000);
    await rejected;
    expect(telemetry.spans().map((span) => [span.name, span.status.code])).toEqual([
      ['send hono.command.{tenant_id}', api.SpanStatusCode.UNSET],
    ]);
    const durations = points(await telemetry.metrics(), 'hono.command.duration');
    expect(durations.map((point) => point.attributes['hono.command.outcome'])).toEqual(['timeout']);
  });

  it('follows the span active at the call, and a globally registered SDK', async () => {
    const telemetry = sdk();
    api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    api.trace.setGlobalTracerProvider(telemetry.tracerProvider);
    api.metrics.setGlobalMeterProvider(telemetry.meterProvider);
    const client = newClient();
    const tracer = telemetry.tracerProvider.getTracer('application');
    const parent = tracer.startSpan('workflow');
    await api.context.with(api.trace.setSpan(api.context.active(), parent), () =>
      client.sendOneWay({ tenant, deviceId: '4711', name: 'reboot' }),
    );
    parent.end();
    const send = telemetry.spans().find((span) => span.name.startsWith('send'));
    expect(send?.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(send?.spanContext().traceId).toBe(parent.spanContext().traceId);
    expect(points(await telemetry.metrics(), 'messaging.client.sent.messages')).toHaveLength(1);
  });

  it('writes no traceparent and records nothing with telemetry false, or without an SDK', async () => {
    const telemetry = sdk();
    const off = newClient({ telemetry: false });
    await off.sendOneWay({ tenant, deviceId: '4711', name: 'reboot' });
    const none = newClient();
    await none.sendOneWay({ tenant, deviceId: '4711', name: 'reboot' });
    expect(headerOf(0, 'traceparent')).toBeUndefined();
    expect(producers.made[1]?.acknowledged[0]?.headers.some((header) => 'traceparent' in header)).toBe(false);
    expect(telemetry.spans()).toEqual([]);
  });

  it('refuses a telemetry option that is neither false nor providers', () => {
    expect(() => newClient({ telemetry: { tracerProvider: {} as never } })).toThrow(
      /telemetry\.tracerProvider/,
    );
  });
});

describe('command diagnostics channels', () => {
  const subscriptions: [string, (message: unknown) => void][] = [];
  afterEach(() => {
    for (const [name, listener] of subscriptions.splice(0)) diagnosticsChannel.unsubscribe(name, listener);
  });
  function collect<Message>(name: string): Message[] {
    const messages: Message[] = [];
    const listener = (message: unknown): void => {
      messages.push(message as Message);
    };
    diagnosticsChannel.subscribe(name, listener);
    subscriptions.push([name, listener]);
    return messages;
  }

  it('publish each command sent and each request ended, with telemetry off too', async () => {
    const sent = collect<CommandSentMessage>(diagnosticsChannels.commandSent);
    const responses = collect<CommandResponseMessage>(diagnosticsChannels.commandResponse);
    const client = newClient({ telemetry: false });
    await client.sendOneWay({ tenant, deviceId: '4711', name: 'reboot' });
    const { command } = await answeredRequest(client, 202);

    expect(sent).toHaveLength(2);
    expect(sent[0]).toMatchObject({
      kind: 'oneWay',
      tenantId: tenant,
      deviceId: '4711',
      name: 'reboot',
      correlationId: undefined,
      topic: `hono.command.${tenant}`,
      error: undefined,
    });
    expect(sent[1]).toMatchObject({ kind: 'request', correlationId: command.correlationId });
    expect(responses).toHaveLength(1);
    expect(responses[0]).toMatchObject({
      kind: 'request',
      correlationId: command.correlationId,
      outcome: 'response',
      status: 202,
      error: undefined,
    });
    expect(responses[0]?.durationMs).toBeTypeOf('number');
  });
});
