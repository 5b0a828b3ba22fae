/**
 * OpenTelemetry spans and metrics of the command client.
 *
 * - Each command written gets a PRODUCER span `send hono.command.{tenant_id}`, a child of the span active
 *   at the call, whose context is written into the command as W3C `traceparent` / `tracestate`: Hono's
 *   Command Router continues the trace. It ends when the broker acknowledged the command, or with an
 *   error status when the call ended first (not written, timed out, the client closed).
 * - The response to a request gets a CONSUMER span `process hono.command_response.{tenant_id}`, a child of
 *   the send span, linked to the response's own trace context (the span in which Hono or the device wrote
 *   it) when it carries one. A request that ends without a response (a timeout after the
 *   acknowledgement, a failed response reader, the close) gets no response span: its outcome is in the
 *   metrics and on the `command:response` channel.
 * - Metrics: `messaging.client.sent.messages` per command written (or failed: `error.type`), and
 *   `hono.command.duration`, from the call to its end, by `hono.command.outcome`.
 *
 * The tracer and the meter are looked up per call (a property read each when nothing changed): a call
 * made while no SDK is registered (and no provider given) records nothing, and an SDK registered later
 * is picked up.
 *
 * @module
 */
import { performance } from 'node:perf_hooks';
import type { Attributes, Counter, Histogram, Link, Span, Tracer } from '@opentelemetry/api';
import { commandResponseTopic, commandTopic } from '../tenant.js';
import type { KafkaRecord } from '../types.js';
import type { CommandResponse } from '../wire/commands.js';
import type { CommandCallKind } from './channels.js';
import {
  type CommandObservation,
  type CommandObserver,
  commandOutcome,
  type CommandResult,
} from './command-observation.js';
import type { ResolvedTelemetry } from './options.js';
import type { OpenTelemetryApi } from './otel-api.js';
import { MeterSource, TracerSource } from './otel-providers.js';
import { durationBuckets, MessagingAttribute } from './semconv.js';
import { producerSpanContext } from './trace-context.js';

/** The command client's own attribute names. */
export const CommandAttribute = {
  TenantId: 'hono.tenant_id',
  DeviceId: 'hono.device_id',
  /** The command name (the `subject` header). */
  Name: 'hono.command.name',
  /** `one_way`, `send` or `request`. */
  Kind: 'hono.command.kind',
  /** The response's status. */
  Status: 'hono.command.status',
  /** `response`, `delivery_failure`, `acknowledged`, `timeout` or `error`. */
  Outcome: 'hono.command.outcome',
} as const;

/** The command client's metric names. */
export const CommandMetric = {
  /** Counter `{message}`: commands written (acknowledged), or failed (with `error.type`). */
  SentMessages: 'messaging.client.sent.messages',
  /** Histogram `s`: from the call to its end, by `hono.command.outcome` and `hono.command.kind`. */
  Duration: 'hono.command.duration',
} as const;

const sendTemplate = 'hono.command.{tenant_id}';
const responseTemplate = 'hono.command_response.{tenant_id}';

const kindNames: Record<CommandCallKind, string> = { oneWay: 'one_way', send: 'send', request: 'request' };
const outcomeNames = {
  response: 'response',
  deliveryFailure: 'delivery_failure',
  acknowledged: 'acknowledged',
  timeout: 'timeout',
  error: 'error',
} as const;

/** `error.type`: the SDK's error code, else the error's class name. */
function errorType(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.name : 'unknown';
}

/**
 * Where `@opentelemetry/api` 1.x keeps what the application registered (tracer and meter providers,
 * context manager, propagator): one global property, absent until the first registration.
 */
const registry = Symbol.for('opentelemetry.js.api.1');

/**
 * Whether the application registered anything with `@opentelemetry/api`: a property read, where asking
 * the api for the tracer and meter providers costs about 200 ns per command.
 */
function anythingRegistered(): boolean {
  return (globalThis as Record<symbol, unknown>)[registry] !== undefined;
}

/** The instruments of one meter. */
interface Instruments {
  readonly sent: Counter;
  readonly duration: Histogram;
}

/** Finds the tracer and the instruments to use for a call. */
class Recorders {
  readonly #tracers: TracerSource;
  readonly #meters: MeterSource<Instruments>;

  constructor(api: OpenTelemetryApi, telemetry: Exclude<ResolvedTelemetry, false>) {
    this.#tracers = new TracerSource(api, telemetry.tracerProvider);
    this.#meters = new MeterSource(api, telemetry.meterProvider, (meter) => ({
      sent: meter.createCounter(CommandMetric.SentMessages, {
        description: 'Commands written to Hono (acknowledged by the broker, or failed with error.type)',
        unit: '{message}',
      }),
      duration: meter.createHistogram(CommandMetric.Duration, {
        description: 'Command client calls, from the call to the response, acknowledgement or failure',
        unit: 's',
        advice: { explicitBucketBoundaries: [...durationBuckets] },
      }),
    }));
  }

  /** The tracer, or undefined when no SDK is registered and none was given. */
  tracer(): Tracer | undefined {
    return this.#tracers.current();
  }

  /** The instruments, or undefined when no SDK is registered and no meter provider was given. */
  instruments(): Instruments | undefined {
    return this.#meters.current();
  }
}

/**
 * The OpenTelemetry observer of a command client.
 *
 * @param api - `@opentelemetry/api`
 * @param telemetry - the resolved `telemetry` option (not `false`)
 * @param clientId - the producer's client id
 * @returns the observer
 */
export function openTelemetryCommandObserver(
  api: OpenTelemetryApi,
  telemetry: Exclude<ResolvedTelemetry, false>,
  clientId: string,
): CommandObserver {
  const recorders = new Recorders(api, telemetry);
  const providersGiven = telemetry.tracerProvider !== undefined || telemetry.meterProvider !== undefined;
  return {
    started(kind, tenantId, deviceId, name, correlationId): CommandObservation | undefined {
      // The fast path of an application without an SDK: nothing registered globally, nothing given.
      if (!providersGiven && !anythingRegistered()) return undefined;
      try {
        const tracer = recorders.tracer();
        const instruments = recorders.instruments();
        if (tracer === undefined && instruments === undefined) return undefined;
        return new CommandCallObservation(api, tracer, instruments, clientId, {
          kind,
          tenantId,
          deviceId,
          name,
          correlationId,
        });
      } catch {
        return undefined;
      }
    },
  };
}

/** The call an observation is about. */
interface Call {
  readonly kind: CommandCallKind;
  readonly tenantId: string;
  readonly deviceId: string;
  readonly name: string;
  readonly correlationId: string | undefined;
}

/** One call's spans and measurements. */
class CommandCallObservation implements CommandObservation {
  readonly traceparent: string | undefined;
  readonly tracestate: string | undefined;
  readonly #api: OpenTelemetryApi;
  readonly #tracer: Tracer | undefined;
  readonly #instruments: Instruments | undefined;
  readonly #call: Call;
  readonly #startedAt = performance.now();
  #sendSpan: Span | undefined;
  #sent = false;
  #response: { readonly links: Link[]; readonly partition: number; readonly offset: number } | undefined;

  constructor(
    api: OpenTelemetryApi,
    tracer: Tracer | undefined,
    instruments: Instruments | undefined,
    clientId: string,
    call: Call,
  ) {
    this.#api = api;
    this.#tracer = tracer;
    this.#instruments = instruments;
    this.#call = call;
    if (tracer === undefined) return;
    const attributes: Attributes = {
      [MessagingAttribute.System]: 'kafka',
      [MessagingAttribute.OperationName]: 'send',
      [MessagingAttribute.OperationType]: 'send',
      [MessagingAttribute.DestinationName]: commandTopic(call.tenantId),
      [MessagingAttribute.DestinationTemplate]: sendTemplate,
      [MessagingAttribute.KafkaMessageKey]: call.deviceId,
      [MessagingAttribute.ClientId]: clientId,
      [CommandAttribute.TenantId]: call.tenantId,
      [CommandAttribute.DeviceId]: call.deviceId,
      [CommandAttribute.Name]: call.name,
      [CommandAttribute.Kind]: kindNames[call.kind],
    };
    if (call.correlationId !== undefined) {
      attributes[MessagingAttribute.MessageConversationId] = call.correlationId;
    }
    const span = tracer.startSpan(
      `send ${sendTemplate}`,
      { kind: api.SpanKind.PRODUCER, attributes },
      api.context.active(),
    );
    this.#sendSpan = span;
    const context = span.spanContext();
    if (api.isSpanContextValid(context)) {
      const flags = (context.traceFlags & 0xff).toString(16).padStart(2, '0');
      this.traceparent = `00-${context.traceId}-${context.spanId}-${flags}`;
      const state = context.traceState?.serialize();
      this.tracestate = state === undefined || state === '' ? undefined : state;
    }
  }

  acknowledged(): void {
    try {
      this.#endSend(undefined);
    } catch {
      // Telemetry never fails a call.
    }
  }

  responseRead(record: KafkaRecord): void {
    if (this.#tracer === undefined) return;
    try {
      const origin = producerSpanContext(this.#api, record.headers);
      this.#response = {
        links: origin === undefined ? [] : [{ context: origin }],
        partition: record.partition,
        offset: record.offset,
      };
    } catch {
      // Telemetry never fails a call.
    }
  }

  ended(result: CommandResult): void {
    try {
      if (!this.#sent) this.#endSend(result.failed ? result.error : undefined);
      const outcome = outcomeNames[commandOutcome(result)];
      if (!result.failed && result.response !== undefined) this.#responseSpan(result.response, outcome);
      this.#instruments?.duration.record((performance.now() - this.#startedAt) / 1000, {
        [MessagingAttribute.System]: 'kafka',
        [MessagingAttribute.DestinationTemplate]: sendTemplate,
        [CommandAttribute.Kind]: kindNames[this.#call.kind],
        [CommandAttribute.Outcome]: outcome,
        ...(result.failed ? { [MessagingAttribute.ErrorType]: errorType(result.error) } : {}),
      });
    } catch {
      // Telemetry never fails a call.
    }
  }

  /** The send ended: acknowledged (no error) or not (the call's error). */
  #endSend(error: unknown): void {
    this.#sent = true;
    const failed = error !== undefined;
    this.#instruments?.sent.add(1, {
      [MessagingAttribute.System]: 'kafka',
      [MessagingAttribute.OperationName]: 'send',
      [MessagingAttribute.DestinationTemplate]: sendTemplate,
      ...(failed ? { [MessagingAttribute.ErrorType]: errorType(error) } : {}),
    });
    const span = this.#sendSpan;
    if (span === undefined) return;
    if (failed) {
      span.setAttribute(MessagingAttribute.ErrorType, errorType(error));
      span.setStatus({
        code: this.#api.SpanStatusCode.ERROR,
        message: error instanceof Error ? error.message : errorType(error),
      });
    }
    span.end();
  }

  /** The CONSUMER span of the response, a child of the send span, linked to the response's context. */
  #responseSpan(response: CommandResponse, outcome: string): void {
    const send = this.#sendSpan;
    if (this.#tracer === undefined || send === undefined) return;
    const read = this.#response;
    const { tenantId } = this.#call;
    const attributes: Attributes = {
      [MessagingAttribute.System]: 'kafka',
      [MessagingAttribute.OperationName]: 'process',
      [MessagingAttribute.OperationType]: 'process',
      [MessagingAttribute.DestinationName]: commandResponseTopic(tenantId),
      [MessagingAttribute.DestinationTemplate]: responseTemplate,
      [MessagingAttribute.MessageConversationId]: response.correlationId,
      [MessagingAttribute.KafkaMessageKey]: response.deviceId,
      [CommandAttribute.TenantId]: tenantId,
      [CommandAttribute.DeviceId]: response.deviceId,
      [CommandAttribute.Name]: this.#call.name,
      [CommandAttribute.Status]: response.status,
      [CommandAttribute.Outcome]: outcome,
    };
    if (read !== undefined) {
      attributes[MessagingAttribute.DestinationPartitionId] = String(read.partition);
      attributes[MessagingAttribute.KafkaOffset] = read.offset;
    }
    const parent = this.#api.trace.setSpan(this.#api.ROOT_CONTEXT, send);
    const span = this.#tracer.startSpan(
      `process ${responseTemplate}`,
      { kind: this.#api.SpanKind.CONSUMER, attributes, links: read?.links ?? [] },
      parent,
    );
    if (response.kind === 'deliveryFailure') {
      span.setAttribute(MessagingAttribute.ErrorType, outcome);
      span.setStatus({ code: this.#api.SpanStatusCode.ERROR, message: response.error });
    }
    span.end();
  }
}
