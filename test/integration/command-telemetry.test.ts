/**
 * Command tracing against the real broker, with the Hono simulator answering: the command written carries
 * the `traceparent` of its send span, the response span is that span's child, and the metrics count each
 * outcome (a device's response, Hono's 503 for a disconnected device).
 */
import * as api from '@opentelemetry/api';
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HonoCommandClient } from '../../src/commands/hono-command-client.js';
import { HonoSimulator } from '../../src/testing/hono-simulator.js';
import { randomSuffix, TestAdmin, TestConsumer } from './clients.js';
import { quietLogger } from './consumer-helpers.js';
import { kafkaEnvironment } from './kafka-env.js';

const { bootstrapServers } = kafkaEnvironment();

/** A pull reader: metrics are read when the test asks. */
class PullReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

let tenant: string;
let admin: TestAdmin;
let simulator: HonoSimulator;
let client: HonoCommandClient | undefined;

beforeEach(() => {
  tenant = `it-cmdtrace-${randomSuffix()}`;
  admin = new TestAdmin(bootstrapServers);
  simulator = new HonoSimulator({ brokers: bootstrapServers, logger: quietLogger, closeTimeoutMs: 10_000 });
});

afterEach(async () => {
  await client?.close();
  client = undefined;
  await simulator.close();
  for (const kind of ['command', 'command_response']) await admin.deleteTopic(`hono.${kind}.${tenant}`);
  admin.disconnect();
});

/** The `traceparent` header of each record of a topic, read from its beginning. */
async function traceparents(topic: string, count: number): Promise<(string | undefined)[]> {
  const consumer = new TestConsumer(bootstrapServers, `it-read-${randomSuffix()}`);
  await consumer.connect();
  try {
    consumer.client.subscribe([topic]);
    const messages = await consumer.consumeAtLeast(count);
    return messages.map((message) => {
      const header = message.headers?.find((candidate) => 'traceparent' in candidate);
      return header?.['traceparent']?.toString();
    });
  } finally {
    await consumer.disconnect();
  }
}

/** The data points of a metric: attributes and value (a histogram: its count). */
function points(metrics: ResourceMetrics, name: string): { attributes: api.Attributes; value: number }[] {
  return metrics.scopeMetrics
    .flatMap((scope) => scope.metrics)
    .filter((metric) => metric.descriptor.name === name)
    .flatMap((metric) =>
      metric.dataPoints.map((point) => ({
        attributes: point.attributes,
        value: typeof point.value === 'number' ? point.value : (point.value as { count: number }).count,
      })),
    );
}

describe('command tracing on the real broker', () => {
  it("writes the send span's traceparent, parents the response span on it, and counts the outcomes", async () => {
    await admin.createTopic(`hono.command.${tenant}`, 1);
    await simulator.answerCommands(tenant, () => ({
      status: 200,
      payload: 'pong',
      contentType: 'text/plain',
    }));
    await simulator.device(tenant, 'on').connect();

    const exporter = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const reader = new PullReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    client = new HonoCommandClient({
      brokers: bootstrapServers,
      logger: quietLogger,
      requestTimeoutMs: 30_000,
      telemetry: { tracerProvider, meterProvider },
    });

    const answered = await client.request({ tenant, deviceId: 'on', name: 'ping', payload: 'ping' });
    expect(answered).toMatchObject({ kind: 'response', status: 200 });
    const refused = await client.request({ tenant, deviceId: 'off', name: 'ping' });
    expect(refused).toMatchObject({ kind: 'deliveryFailure', status: 503 });

    const spans = exporter.getFinishedSpans();
    const sends = spans.filter((span) => span.name === 'send hono.command.{tenant_id}');
    const processes = spans.filter((span) => span.name === 'process hono.command_response.{tenant_id}');
    expect(sends).toHaveLength(2);
    expect(processes).toHaveLength(2);
    const written = await traceparents(`hono.command.${tenant}`, 2);
    expect(written).toEqual(
      sends.map((span) => `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`),
    );
    for (const [index, send] of sends.entries()) {
      const processed = processes[index];
      expect(processed?.parentSpanContext?.spanId).toBe(send.spanContext().spanId);
      expect(processed?.spanContext().traceId).toBe(send.spanContext().traceId);
    }
    expect(processes.map((span) => span.attributes['hono.command.outcome'])).toEqual([
      'response',
      'delivery_failure',
    ]);
    expect(processes[0]?.attributes['messaging.destination.name']).toBe(`hono.command_response.${tenant}`);

    const metrics = (await reader.collect()).resourceMetrics;
    expect(points(metrics, 'messaging.client.sent.messages').map((point) => point.value)).toEqual([2]);
    const outcomes: Record<string, number> = Object.fromEntries(
      points(metrics, 'hono.command.duration').map((point) => [
        String(point.attributes['hono.command.outcome']),
        point.value,
      ]),
    );
    expect(outcomes).toEqual({ response: 1, delivery_failure: 1 });
  }, 90_000);
});
