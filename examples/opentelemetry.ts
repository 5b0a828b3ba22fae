/**
 * Traces and metrics of a consumer through OpenTelemetry, printed to the console: a `process` span per
 * handler call (linked to, or here continuing, the trace in which Hono wrote the record), a span of the
 * application's own inside it, and the consumer's metrics every few seconds.
 *
 * The SDK depends only on `@opentelemetry/api` (an optional peer dependency) and records nothing until the
 * application registers an OpenTelemetry SDK. Applications install the SDK themselves, e.g.
 * `npm install @opentelemetry/api @opentelemetry/sdk-trace-base @opentelemetry/sdk-metrics
 * @opentelemetry/context-async-hooks`; in production, `@opentelemetry/sdk-node` with an OTLP exporter
 * instead of the console ones. See docs/observability.md.
 *
 * Run against a local broker: `npm run kafka:start`, then
 * `KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:<port> HONO_TENANT=<tenant> npx tsx examples/opentelemetry.ts`, and
 * send events, e.g. with `npx eclipse-hono-kafka simulate`. `METRICS_INTERVAL_MS` sets how often the
 * metrics are printed (5,000 ms by default).
 */
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  ConsoleMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, ConsoleSpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { HonoEventConsumer, isHonoKafkaError, type HonoEvent } from 'eclipse-hono-kafka';

// The OpenTelemetry SDK, registered globally before the consumer runs: the consumer uses the global
// providers unless its `telemetry` option names others.
const tracerProvider = new BasicTracerProvider({
  spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter())],
});
const meterProvider = new MeterProvider({
  readers: [
    new PeriodicExportingMetricReader({
      exporter: new ConsoleMetricExporter(),
      exportIntervalMillis: Number(process.env['METRICS_INTERVAL_MS'] ?? '5000'),
    }),
  ],
});
trace.setGlobalTracerProvider(tracerProvider);
metrics.setGlobalMeterProvider(meterProvider);
// Makes the handler's span the active one inside the handler, so that the application's spans are its children.
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

const consumer = new HonoEventConsumer({
  brokers: process.env['KAFKA_BOOTSTRAP_SERVERS'] ?? '127.0.0.1:9092',
  tenant: process.env['HONO_TENANT'] ?? 'DEFAULT_TENANT',
  groupId: process.env['GROUP_ID'] ?? 'opentelemetry-example',
  // 'parent': a handler's span continues the trace of the record's `traceparent` (Hono's producer span),
  // and links to it too. The default, 'link', starts a new trace linked to it.
  telemetry: { traceContext: 'parent' },
});

consumer.on('error', (error) => {
  console.error(`[${error.code}] ${error.message}`);
});
consumer.on('started', () => {
  console.log('consuming; spans and metrics follow');
});

const tracer = trace.getTracer('opentelemetry-example');

/** Stands in for the application's own storage, traced as a child of the handler's span. */
async function store(event: HonoEvent): Promise<void> {
  await tracer.startActiveSpan('store', async (span) => {
    span.setAttribute('app.event_type', event.type);
    await Promise.resolve();
    console.log(`stored ${event.type} of ${event.deviceId} (offset ${String(event.offset)})`);
    span.end();
  });
}

await consumer.run({ event: store });

process.once('SIGTERM', () => {
  consumer
    .stop()
    // The last metrics are exported on shutdown.
    .then(() => meterProvider.shutdown())
    .then(() => tracerProvider.shutdown())
    .then(() => {
      console.log('stopped');
    })
    .catch((error: unknown) => {
      console.error(isHonoKafkaError(error) ? error.code : error);
      process.exitCode = 1;
    });
});
