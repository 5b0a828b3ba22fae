/**
 * Worker: what the OpenTelemetry SDK itself costs per record, with nothing of this package in the loop.
 * For each record the observer asks the SDK for a `process` span with the attributes of a Hono event and
 * a link to Hono's span, runs the handler in it (`context.with`), ends it, and records the call's
 * duration in `messaging.process.duration`. Here the same SDK calls run in a tight loop over prebuilt
 * attributes and span contexts (the SDK of the observability section: every span sampled and dropped as
 * it ends, a meter provider with a reader, the `AsyncLocalStorage` context manager), each part alone and
 * all together. The figures are a floor: no observer of a span and a histogram measurement per record
 * can cost less.
 */
import * as api from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { report, round } from '../lib/child.js';

/** The floor, in microseconds of CPU per record (one thread: the loop allocates, V8 collects inline). */
export interface OpenTelemetryFloor {
  /** `startSpan` with the attributes and a link, then `end`. */
  readonly spanMicroseconds: number;
  /** `context.with` of a context holding a span, around a no-op call. */
  readonly contextMicroseconds: number;
  /** One histogram measurement with the attribute set of `messaging.process.duration`. */
  readonly histogramMicroseconds: number;
  /** All three, as the observer makes them per handler call. */
  readonly totalMicroseconds: number;
}

const { seconds = 1 } = JSON.parse(process.argv[2] ?? '{}') as { seconds?: number };

const dropSpans: SpanProcessor = {
  onStart: () => undefined,
  onEnd: () => undefined,
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};
class IdleReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}
const tracer = new BasicTracerProvider({ spanProcessors: [dropSpans] }).getTracer('floor');
const histogram = new MeterProvider({ readers: [new IdleReader()] })
  .getMeter('floor')
  .createHistogram('messaging.process.duration', {
    unit: 's',
    advice: {
      explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
    },
  });
const contextManager = new AsyncLocalStorageContextManager().enable();

// What a Hono event's `process` span carries (see src/telemetry/otel-attributes.ts).
const attributes: api.Attributes = {
  'messaging.system': 'kafka',
  'messaging.consumer.group.name': 'bench-group',
  'messaging.client.id': 'bench-client',
  'messaging.operation.name': 'process',
  'messaging.operation.type': 'process',
  'messaging.destination.name': 'hono.event.bench',
  'messaging.destination.partition.id': '3',
  'messaging.kafka.offset': 123_456,
  'messaging.destination.template': 'hono.event.{tenant_id}',
  'messaging.kafka.message.key': 'device-0042',
  'hono.tenant_id': 'bench',
  'hono.device_id': 'device-0042',
  'hono.endpoint': 'event',
  'hono.qos': 1,
  'hono.event_type': 'event',
  'hono.content_type': 'application/json',
  'hono.attempt': 1,
};
const processAttributes: api.Attributes = {
  'messaging.system': 'kafka',
  'messaging.consumer.group.name': 'bench-group',
  'messaging.operation.name': 'process',
  'messaging.operation.type': 'process',
  'messaging.destination.template': 'hono.event.{tenant_id}',
};
const links: api.Link[] = [
  {
    context: {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: 1,
      isRemote: true,
    },
  },
];
const options: api.SpanOptions = { kind: api.SpanKind.CONSUMER, attributes, links };
const noop = (): number => 0;

/** Microseconds per call of `step`, the best of three rounds of `seconds` / 3. */
function measure(step: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let roundIndex = 0; roundIndex < 3; roundIndex++) {
    const deadline = performance.now() + (seconds * 1000) / 3;
    let calls = 0;
    const started = process.cpuUsage();
    while (performance.now() < deadline) {
      for (let index = 0; index < 1000; index++) step();
      calls += 1000;
    }
    const used = process.cpuUsage(started);
    best = Math.min(best, (used.user + used.system) / calls);
  }
  return round(best, 2);
}

const span = (): void => {
  tracer.startSpan('process hono.event.{tenant_id}', options, api.ROOT_CONTEXT).end();
};
const spanContext = api.trace.setSpan(api.ROOT_CONTEXT, tracer.startSpan('held'));
const context = (): void => {
  contextManager.with(spanContext, noop);
};
const measurement = (): void => {
  histogram.record(0.000_02, processAttributes);
};
const all = (): void => {
  const started = tracer.startSpan('process hono.event.{tenant_id}', options, api.ROOT_CONTEXT);
  contextManager.with(api.trace.setSpan(api.ROOT_CONTEXT, started), noop);
  started.end();
  histogram.record(0.000_02, processAttributes);
};
for (const step of [span, context, measurement, all]) measure(step); // warm-up: let the JIT settle
const result: OpenTelemetryFloor = {
  spanMicroseconds: measure(span),
  contextMicroseconds: measure(context),
  histogramMicroseconds: measure(measurement),
  totalMicroseconds: measure(all),
};
report(result);
process.exit(0);
