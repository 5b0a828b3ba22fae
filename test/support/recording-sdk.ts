/**
 * An OpenTelemetry SDK of a test's own: spans kept in memory, metrics read when the test asks, and the
 * sum of a metric's data points. Shared by the unit and integration tests of tracing and metrics.
 */
import type * as api from '@opentelemetry/api';
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

/** A pull reader: metrics are read when the test asks. */
export class PullReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Makes the tracer and meter providers of a test.
 *
 * @returns the providers (also as `options`), the span exporter, and readers of the spans ended and the
 *   metrics so far
 */
export function recordingSdk() {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new PullReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  return {
    exporter,
    tracerProvider,
    meterProvider,
    /** Both providers, as the `telemetry` option takes them. */
    options: { tracerProvider, meterProvider },
    spans: (): ReadableSpan[] => exporter.getFinishedSpans(),
    metrics: async (): Promise<ResourceMetrics> => (await reader.collect()).resourceMetrics,
  };
}

/**
 * The sum of a metric's data points (a histogram's counts), of those whose attributes include `filter`.
 *
 * @param metrics - what the reader collected
 * @param name - the metric's name
 * @param filter - attributes a data point must have
 * @returns the sum; 0 when the metric has no data point
 */
export function metricTotal(metrics: ResourceMetrics, name: string, filter: api.Attributes = {}): number {
  const metric = metrics.scopeMetrics
    .flatMap((scope) => scope.metrics)
    .find((found) => found.descriptor.name === name);
  const points = (metric?.dataPoints ?? []) as {
    attributes: api.Attributes;
    value: number | { count: number };
  }[];
  return points
    .filter((point) => Object.entries(filter).every(([key, value]) => point.attributes[key] === value))
    .reduce((sum, point) => sum + (typeof point.value === 'number' ? point.value : point.value.count), 0);
}
