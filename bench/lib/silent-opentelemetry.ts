/**
 * An OpenTelemetry SDK that records every span and metric and exports them nowhere, for the
 * observability section: what an application pays for the SDK's tracing and metrics, without the cost
 * of an exporter. It counts what it dropped, so that a run proves the SDK recorded.
 */
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** What the silent SDK dropped. */
export interface Dropped {
  /** Spans ended (and dropped). */
  readonly spans: number;
  /** Names of the metrics that had data points in a collection. */
  readonly metrics: readonly string[];
}

/**
 * Registers the silent SDK globally: a tracer provider with the default sampler (every root span
 * sampled) and a span processor that drops each span as it ends, a meter provider with a reader that
 * collects every `metricsIntervalMs` and drops what it collected, and the `AsyncLocalStorage` context
 * manager (the one `@opentelemetry/sdk-node` registers).
 *
 * @param metricsIntervalMs - how often the metrics are collected
 * @returns what was dropped so far; `shutdown` collects the metrics a last time
 */
export async function registerSilentOpenTelemetry(metricsIntervalMs: number): Promise<{
  dropped(): Dropped;
  shutdown(): Promise<void>;
}> {
  const [api, { AsyncLocalStorageContextManager }, { MeterProvider, MetricReader }, { BasicTracerProvider }] =
    await Promise.all([
      import('@opentelemetry/api'),
      import('@opentelemetry/context-async-hooks'),
      import('@opentelemetry/sdk-metrics'),
      import('@opentelemetry/sdk-trace-base'),
    ]);
  let spans = 0;
  const metricNames = new Set<string>();
  const dropSpans: SpanProcessor = {
    onStart: () => undefined,
    onEnd: () => {
      spans += 1;
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };

  /** Collects as a periodic exporting reader does, and keeps only the names of what it collected. */
  class DroppingReader extends MetricReader {
    readonly #timer = setInterval(() => {
      this.#collect().catch(() => undefined);
    }, metricsIntervalMs).unref();

    async #collect(): Promise<void> {
      const { resourceMetrics } = await this.collect();
      for (const scope of resourceMetrics.scopeMetrics)
        for (const metric of scope.metrics)
          if (metric.dataPoints.length > 0) metricNames.add(metric.descriptor.name);
    }

    protected override onForceFlush(): Promise<void> {
      return this.#collect();
    }

    protected override async onShutdown(): Promise<void> {
      clearInterval(this.#timer);
      await this.#collect();
    }
  }

  const tracerProvider = new BasicTracerProvider({ spanProcessors: [dropSpans] });
  const meterProvider = new MeterProvider({ readers: [new DroppingReader()] });
  api.trace.setGlobalTracerProvider(tracerProvider);
  api.metrics.setGlobalMeterProvider(meterProvider);
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  return {
    dropped: () => ({ spans, metrics: [...metricNames].sort() }),
    shutdown: async () => {
      await meterProvider.shutdown();
      await tracerProvider.shutdown();
    },
  };
}
