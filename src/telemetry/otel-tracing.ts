/**
 * The spans of a consumer: one CONSUMER `process` span per handler call, linked to (or, with
 * `traceContext: 'parent'`, the child of) the span in which Hono wrote the record; a zero-length
 * `process` span for each record skipped, dead-lettered or expired; a CLIENT `commit` span per commit.
 */
import type { Attributes, Context, Link, Span, SpanContext, SpanOptions, Tracer } from '@opentelemetry/api';
import type { HonoKafkaError } from '../errors.js';
import type { KafkaRecord, TopicPartitionOffset } from '../types.js';
import type { ConsumerObserverConfig } from './config.js';
import {
  consumerAttributes,
  type ProcessExtra,
  processAttributes,
  type RecordFacts,
} from './otel-attributes.js';
import { instrumentationName, type OpenTelemetryApi } from './otel-api.js';
import { HonoAttribute, MessagingAttribute, type RecordOutcome } from './semconv.js';
import { parseTraceparent, producerSpanContext } from './trace-context.js';

/** Where a record's span starts: its parent context and its links. */
interface SpanPlace {
  readonly parent: Context;
  readonly links: Link[] | undefined;
}

/** The tracing side of a consumer's OpenTelemetry observer. */
export class ConsumerTracing {
  readonly #api: OpenTelemetryApi;
  readonly #config: ConsumerObserverConfig;
  readonly #parentMode: boolean;
  readonly #version: string | undefined;
  readonly #base: Attributes;
  readonly #template: (topic: string) => string;
  /** The tracer, or undefined while nothing records (no SDK registered with the global provider). */
  #tracer: Tracer | undefined;
  /** The tracer comes from a provider that is no proxy: it does not change. */
  #fixed = false;
  /** Whether the application registered no propagator (read again with the tracer). */
  #noPropagator = true;

  /**
   * @param api - `@opentelemetry/api`
   * @param config - the consumer's side (its telemetry option is not `false`)
   * @param version - the instrumentation scope's version
   * @param template - the destination template of a topic (cached by the caller)
   */
  constructor(
    api: OpenTelemetryApi,
    config: ConsumerObserverConfig,
    version: string | undefined,
    template: (topic: string) => string,
  ) {
    this.#api = api;
    this.#config = config;
    this.#parentMode = config.telemetry !== false && config.telemetry.traceContext === 'parent';
    this.#version = version;
    this.#base = consumerAttributes(config);
    this.#template = template;
    this.refresh();
  }

  /** Whether spans are recorded now. */
  get active(): boolean {
    return this.#tracer !== undefined;
  }

  /**
   * Looks for the tracer again: a global SDK registered after the consumer started is picked up here.
   * Cheap: a global read and the provider's cached tracer.
   */
  refresh(): void {
    this.#noPropagator = this.#api.propagation.fields().length === 0;
    const telemetry = this.#config.telemetry;
    if (telemetry === false || this.#fixed) return;
    const provider = (telemetry.tracerProvider ?? this.#api.trace.getTracerProvider()) as {
      getTracer(name: string, version?: string): Tracer;
      getDelegateTracer?: (name: string, version?: string) => Tracer | undefined;
    };
    // The global provider is a proxy that has a delegate only once the application registered an SDK.
    if (typeof provider.getDelegateTracer === 'function') {
      this.#tracer = provider.getDelegateTracer(instrumentationName, this.#version);
      return;
    }
    // A provider of the application's own (not a proxy): its tracer records from now on.
    this.#tracer = provider.getTracer(instrumentationName, this.#version);
    this.#fixed = true;
  }

  /**
   * Starts the span of a handler call.
   *
   * @param facts - the record
   * @param attempt - 1 for the first call
   * @returns the span and the context to run the call in, or undefined while nothing records
   */
  startHandler(facts: RecordFacts, attempt: number): { span: Span; context: Context } | undefined {
    const tracer = this.#tracer;
    if (tracer === undefined) return undefined;
    const { span, parent } = this.#startProcess(tracer, facts, { attempt });
    return { span, context: this.#api.trace.setSpan(parent, span) };
  }

  /**
   * Ends the span of a handler call.
   *
   * @param span - the span
   * @param error - why the call failed; undefined when it succeeded
   */
  endHandler(span: Span, error: HonoKafkaError | undefined): void {
    if (error !== undefined) this.#fail(span, error, true);
    span.end();
  }

  /**
   * Records a zero-length `process` span for a record that was not (or no longer) handled.
   *
   * @param facts - the record
   * @param outcome - skipped, dead-lettered or expired
   * @param error - the last failure, if any
   * @param deadLetterTopic - where it was written, when dead-lettered
   */
  outcome(
    facts: RecordFacts,
    outcome: RecordOutcome,
    error: HonoKafkaError | undefined,
    deadLetterTopic?: string,
  ): void {
    const tracer = this.#tracer;
    if (tracer === undefined) return;
    const now = Date.now();
    const { span } = this.#startProcess(tracer, facts, { outcome, deadLetterTopic }, now);
    if (error !== undefined) this.#fail(span, error, false);
    span.end(now);
  }

  /**
   * Records the CLIENT `commit` span of a commit.
   *
   * @param positions - the positions committed
   * @param durationMs - from the request to the answer
   * @param error - why it failed; undefined when the broker confirmed it
   */
  commit(
    positions: readonly TopicPartitionOffset[],
    durationMs: number,
    error: HonoKafkaError | undefined,
  ): void {
    const tracer = this.#tracer;
    if (tracer === undefined) return;
    const api = this.#api;
    const attributes: Attributes = {
      ...this.#base,
      [MessagingAttribute.OperationName]: 'commit',
      [MessagingAttribute.OperationType]: 'settle',
      [HonoAttribute.CommitPartitionCount]: positions.length,
    };
    const templates = new Set(positions.map((position) => this.#template(position.topic)));
    const [template] = templates;
    if (templates.size === 1 && template !== undefined) {
      attributes[MessagingAttribute.DestinationTemplate] = template;
    }
    const name = templates.size === 1 && template !== undefined ? `commit ${template}` : 'commit';
    const end = Date.now();
    const span = tracer.startSpan(
      name,
      { kind: api.SpanKind.CLIENT, attributes, startTime: end - durationMs },
      api.ROOT_CONTEXT,
    );
    if (error !== undefined) this.#fail(span, error, false);
    span.end(end);
  }

  #startProcess(
    tracer: Tracer,
    facts: RecordFacts,
    extra: ProcessExtra,
    startTime?: number,
  ): { span: Span; parent: Context } {
    const api = this.#api;
    const topic = facts.record?.topic ?? facts.coordinates?.topic ?? topicOf(facts.decoded);
    const template = topic === undefined ? undefined : this.#template(topic);
    const attributes = processAttributes(this.#config, facts, template, extra);
    const place = this.#place(facts);
    const options: SpanOptions = { kind: api.SpanKind.CONSUMER, attributes };
    if (place.links !== undefined) options.links = place.links;
    if (startTime !== undefined) options.startTime = startTime;
    const span = tracer.startSpan(
      template === undefined ? 'process' : `process ${template}`,
      options,
      place.parent,
    );
    return { span, parent: place.parent };
  }

  /** The producer's context as a link, and as the parent with `traceContext: 'parent'`. */
  #place(facts: RecordFacts): SpanPlace {
    const api = this.#api;
    // Without a propagator of the application's, a decoded Hono event's `traceparent` is read once only.
    const producer =
      (this.#noPropagator ? decodedSpanContext(api, facts.decoded) : undefined) ??
      producerSpanContext(api, headersOf(facts));
    if (producer === undefined) return { parent: api.ROOT_CONTEXT, links: undefined };
    const links: Link[] = [{ context: producer }];
    return {
      parent: this.#parentMode ? api.trace.setSpanContext(api.ROOT_CONTEXT, producer) : api.ROOT_CONTEXT,
      links,
    };
  }

  #fail(span: Span, error: HonoKafkaError, exception: boolean): void {
    const api = this.#api;
    span.setAttribute(MessagingAttribute.ErrorType, error.code);
    span.setStatus({ code: api.SpanStatusCode.ERROR, message: error.message });
    if (exception) span.recordException(error);
  }
}

/** The producer's span context from a decoded Hono event's `traceparent` and `tracestate`, if any. */
function decodedSpanContext(api: OpenTelemetryApi, decoded: unknown): SpanContext | undefined {
  const { traceparent, tracestate } = (decoded ?? {}) as { traceparent?: unknown; tracestate?: unknown };
  if (typeof traceparent !== 'string') return undefined;
  const parsed = parseTraceparent(traceparent);
  if (parsed === undefined) return undefined;
  return typeof tracestate === 'string'
    ? { ...parsed, isRemote: true, traceState: api.createTraceState(tracestate) }
    : { ...parsed, isRemote: true };
}

/** The headers of a record, or of a decoded Hono event (command responses keep none). */
function headersOf(facts: RecordFacts): KafkaRecord['headers'] {
  if (facts.record !== undefined) return facts.record.headers;
  const decoded = facts.decoded as { headers?: unknown } | null | undefined;
  if (typeof decoded !== 'object' || decoded === null || !Array.isArray(decoded.headers)) return undefined;
  return decoded.headers as KafkaRecord['headers'];
}

/** The topic of a decoded record: a Hono event's, or the response topic of a command response's tenant. */
function topicOf(decoded: unknown): string | undefined {
  if (typeof decoded !== 'object' || decoded === null) return undefined;
  const { topic, tenantId, correlationId } = decoded as Partial<Record<string, unknown>>;
  if (typeof topic === 'string') return topic;
  if (typeof tenantId === 'string' && typeof correlationId === 'string') {
    return `hono.command_response.${tenantId}`;
  }
  return undefined;
}
