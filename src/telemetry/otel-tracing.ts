/**
 * The spans of a consumer: one CONSUMER `process` span per handler call, linked to (or, with
 * `traceContext: 'parent'`, the child of) the span in which Hono wrote the record; a zero-length
 * `process` span for each record skipped, dead-lettered or expired; a CLIENT `commit` span per commit.
 */
import type { Attributes, Link, Span, SpanContext, SpanOptions, Tracer } from '@opentelemetry/api';
import type { HonoKafkaError } from '../errors.js';
import type { KafkaRecord, TopicPartitionOffset } from '../types.js';
import type { ConsumerObserverConfig } from './config.js';
import {
  consumerAttributes,
  type ProcessExtra,
  processAttributes,
  type RecordFacts,
} from './otel-attributes.js';
import type { OpenTelemetryApi } from './otel-api.js';
import { TracerSource } from './otel-providers.js';
import { HonoAttribute, MessagingAttribute, type RecordOutcome } from './semconv.js';
import { producerSpanContext, remoteSpanContext } from './trace-context.js';

/** The links of a span whose record carries no trace context (never changed by the OpenTelemetry SDK). */
const noLinks: Link[] = [];

/** A topic's destination template and the name of its `process` spans. */
interface TopicNames {
  readonly template: string;
  readonly span: string;
}

/** The tracing side of a consumer's OpenTelemetry observer. */
export class ConsumerTracing {
  readonly #api: OpenTelemetryApi;
  readonly #config: ConsumerObserverConfig;
  readonly #parentMode: boolean;
  readonly #base: Attributes;
  readonly #template: (topic: string) => string;
  readonly #source: TracerSource;
  readonly #topics = new Map<string, TopicNames>();
  /** The tracer, or undefined while nothing records (no SDK registered with the global provider). */
  #tracer: Tracer | undefined;
  /** Whether the application registered no propagator (read again with the tracer). */
  #noPropagator = true;

  /**
   * @param api - `@opentelemetry/api`
   * @param config - the consumer's side (its telemetry option is not `false`)
   * @param template - the destination template of a topic (cached by the caller)
   */
  constructor(api: OpenTelemetryApi, config: ConsumerObserverConfig, template: (topic: string) => string) {
    this.#api = api;
    this.#config = config;
    this.#parentMode = config.telemetry !== false && config.telemetry.traceContext === 'parent';
    this.#base = consumerAttributes(config);
    this.#template = template;
    this.#source = new TracerSource(
      api,
      config.telemetry === false ? undefined : config.telemetry.tracerProvider,
    );
    this.refresh();
  }

  /** Whether spans are recorded now. */
  get active(): boolean {
    return this.#tracer !== undefined;
  }

  /** Looks for the tracer again: a global SDK registered after the consumer started is picked up here. */
  refresh(): void {
    this.#noPropagator = this.#api.propagation.fields().length === 0;
    this.#tracer = this.#source.current();
  }

  /**
   * Starts the span of a handler call.
   *
   * @param facts - the record
   * @param attempt - 1 for the first call
   * @returns the span, or undefined while nothing records
   */
  startHandler(facts: RecordFacts, attempt: number): Span | undefined {
    const tracer = this.#tracer;
    if (tracer === undefined) return undefined;
    return this.#startProcess(tracer, facts, { attempt });
  }

  /**
   * Runs a handler call with its span as the active one: the application's own spans become its
   * children (and so, with `traceContext: 'parent'`, descendants of Hono's span).
   *
   * @param span - the call's span
   * @param call - the handler call
   * @returns what the call returned
   */
  runInSpan<T>(span: Span, call: () => T): T {
    const api = this.#api;
    return api.context.with(api.trace.setSpan(api.ROOT_CONTEXT, span), call);
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
    const span = this.#startProcess(tracer, facts, { outcome, deadLetterTopic }, now);
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

  #startProcess(tracer: Tracer, facts: RecordFacts, extra: ProcessExtra, startTime?: number): Span {
    const api = this.#api;
    const topic = facts.record?.topic ?? facts.coordinates?.topic ?? topicOf(facts.decoded);
    const names = topic === undefined ? undefined : this.#names(topic);
    const attributes = processAttributes(this.#config, facts, names?.template, extra);
    // Without a propagator of the application's, a decoded Hono event's `traceparent` is read once only.
    const producer =
      (this.#noPropagator ? decodedSpanContext(api, facts.decoded) : undefined) ??
      producerSpanContext(api, headersOf(facts));
    const links = producer === undefined ? noLinks : [{ context: producer }];
    const kind = api.SpanKind.CONSUMER;
    const options: SpanOptions =
      startTime === undefined ? { kind, attributes, links } : { kind, attributes, links, startTime };
    // The producer's context is a link, and with `traceContext: 'parent'` the parent as well.
    const parent =
      producer !== undefined && this.#parentMode
        ? api.trace.setSpanContext(api.ROOT_CONTEXT, producer)
        : api.ROOT_CONTEXT;
    return tracer.startSpan(names?.span ?? 'process', options, parent);
  }

  /** A topic's destination template and `process` span name, made once per topic. */
  #names(topic: string): TopicNames {
    let names = this.#topics.get(topic);
    if (names === undefined) {
      const template = this.#template(topic);
      names = { template, span: `process ${template}` };
      this.#topics.set(topic, names);
    }
    return names;
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
  return remoteSpanContext(
    traceparent,
    typeof tracestate === 'string' ? api.createTraceState(tracestate) : undefined,
  );
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
