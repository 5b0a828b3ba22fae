/**
 * The command client's options: the public type (documented by hand), the zod schema that validates it,
 * and the defaults, in one literal.
 */
import { z } from 'zod';
import { OptionsError } from '../errors.js';
import { type Logger, reservedSettingProblems, schemaProblems } from '../consumer/options.js';
import {
  type ResolvedTelemetry,
  resolveTelemetry,
  type TelemetryOptions,
  telemetrySchema,
} from '../telemetry/options.js';

/**
 * Options of a {@link HonoCommandClient}.
 *
 * @category Commands
 */
export interface HonoCommandClientOptions {
  /** Bootstrap brokers: `'host:port,host:port'` or a list. */
  readonly brokers: string | readonly string[];
  /**
   * How long a call may take in all: for `request()`, writing the command and waiting for its response
   * (as Hono's `KafkaBasedCommandSender`); for `sendOneWay()` and `send()`, waiting for the broker's
   * acknowledgement. Each call can set its own `timeoutMs`. @defaultValue 10000
   */
  readonly requestTimeoutMs?: number | undefined;
  /**
   * Requests that may wait for their responses at the same time; one more is rejected at once with
   * `ERR_HONO_TOO_MANY_PENDING`, before anything is written. @defaultValue 10000
   */
  readonly maxPendingRequests?: number | undefined;
  /**
   * How long connecting the producer, or a tenant's response reader, may take. A call waits for it at
   * most its own timeout. @defaultValue 30000
   */
  readonly connectTimeoutMs?: number | undefined;
  /** How long `close()` may take: flushing the producer and closing the response readers. @defaultValue 10000 */
  readonly closeTimeoutMs?: number | undefined;
  /** The client id the brokers see (response readers add `-responses`). @defaultValue 'eclipse-hono-kafka-commands' */
  readonly clientId?: string | undefined;
  /**
   * Further librdkafka settings for the producer and the response readers, passed through: TLS
   * (`security.protocol`, `ssl.*`), SASL (`sasl.*`), timeouts. Secret values never appear in logs or
   * errors. Settings the SDK sets itself (`group.id`, `bootstrap.servers`, `acks`, ...) are rejected with
   * an {@link OptionsError}; so are, by the constructor, names librdkafka does not know and values it
   * refuses. @defaultValue `{}`
   */
  readonly kafka?: Readonly<Record<string, string | number | boolean>> | undefined;
  /** Where the client logs; it gets every `error` event too. @defaultValue warnings and errors to the console */
  readonly logger?: Logger | undefined;
  /**
   * Tracing and metrics through OpenTelemetry (`@opentelemetry/api`, an optional peer dependency), or
   * `false` for none. With an SDK registered (or providers given), each command written gets a PRODUCER
   * span `send hono.command.{tenant_id}` whose context the command carries as `traceparent`, so that
   * Hono's Command Router continues the trace; a request's response gets a CONSUMER span `process
   * hono.command_response.{tenant_id}` as its child, linked to the response's own trace context; and the
   * metrics `messaging.client.sent.messages` and `hono.command.duration` are recorded. `traceContext`
   * does not apply to the command client. Without an SDK nothing is recorded and nothing is written.
   * @defaultValue the globally registered providers
   */
  readonly telemetry?: TelemetryOptions | false | undefined;
}

/** Every option with its default applied. */
export interface ResolvedCommandClientOptions {
  readonly brokers: string;
  readonly requestTimeoutMs: number;
  readonly maxPendingRequests: number;
  readonly connectTimeoutMs: number;
  readonly closeTimeoutMs: number;
  readonly clientId: string;
  readonly kafka: Readonly<Record<string, string | number | boolean>>;
  readonly logger: Logger;
  readonly telemetry: ResolvedTelemetry;
}

/** The defaults, in one place. */
export const commandClientDefaults = {
  requestTimeoutMs: 10_000,
  maxPendingRequests: 10_000,
  connectTimeoutMs: 30_000,
  closeTimeoutMs: 10_000,
  clientId: 'eclipse-hono-kafka-commands',
} as const;

const consoleLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (message, context) => {
    console.warn(`[eclipse-hono-kafka] ${message}`, context ?? '');
  },
  error: (message, context) => {
    console.error(`[eclipse-hono-kafka] ${message}`, context ?? '');
  },
};

/** Node's timers wait at most 2^31 - 1 ms; a longer delay would fire after 1 ms. */
export const maxTimerMs = 2 ** 31 - 1;
/** A timeout in ms: a positive integer that a Node timer can wait. */
export const timeoutSchema = z
  .number({ error: 'must be a number of milliseconds' })
  .int({ error: 'must be a whole number of milliseconds' })
  .positive({ error: 'must be positive' })
  .max(maxTimerMs, { error: `must be at most ${maxTimerMs} ms` });

/**
 * The timeout of one call: its own `timeoutMs`, validated, or the client's.
 *
 * @param timeoutMs - what the call asked for
 * @param fallback - the client's `requestTimeoutMs`
 * @returns the timeout in ms
 * @throws {@link OptionsError} for a `timeoutMs` that is not a whole positive number a timer can wait
 */
export function callTimeoutMs(timeoutMs: number | undefined, fallback: number): number {
  if (timeoutMs === undefined) return fallback;
  // A busy caller's fast path: zod only to explain a bad value.
  if (Number.isInteger(timeoutMs) && timeoutMs > 0 && timeoutMs <= maxTimerMs) return timeoutMs;
  const parsed = timeoutSchema.safeParse(timeoutMs);
  if (!parsed.success) {
    throw new OptionsError(
      parsed.error.issues.map((issue) => ({ path: 'timeoutMs', message: issue.message })),
    );
  }
  return parsed.data;
}
const brokersForm = "the bootstrap servers as 'host:port', 'host1:port,host2:port' or a list of 'host:port'";

const schema: z.ZodType<HonoCommandClientOptions> = z.strictObject(
  {
    brokers: z.union(
      [
        z.string().min(1, { error: `must not be empty: ${brokersForm}` }),
        z
          .array(z.string().min(1, { error: "must not be empty: a broker as 'host:port'" }))
          .min(1, { error: `must not be an empty list: ${brokersForm}` })
          .readonly(),
      ],
      {
        error: (issue) =>
          issue.input === undefined ? `is required: ${brokersForm}` : `must be ${brokersForm}`,
      },
    ),
    requestTimeoutMs: timeoutSchema.optional(),
    maxPendingRequests: z.number().int().positive().optional(),
    connectTimeoutMs: timeoutSchema.optional(),
    closeTimeoutMs: timeoutSchema.optional(),
    clientId: z.string().min(1).optional(),
    kafka: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .readonly()
      .optional(),
    logger: z
      .custom<Logger>(
        (value) =>
          typeof value === 'object' &&
          value !== null &&
          ['debug', 'info', 'warn', 'error'].every(
            (level) => typeof (value as Record<string, unknown>)[level] === 'function',
          ),
        { message: 'must have debug, info, warn and error methods' },
      )
      .optional(),
    telemetry: telemetrySchema.optional(),
  },
  {
    error: (issue) =>
      issue.code === 'invalid_type'
        ? "must be an object with at least brokers, e.g. { brokers: 'kafka:9092' }"
        : undefined,
  },
);

/** Settings the command client owns, each with what to use instead. */
const reservedSettings = new Map<string, string>([
  ['bootstrap.servers', 'is set by the SDK: use brokers'],
  ['metadata.broker.list', 'is set by the SDK: use brokers'],
  ['client.id', 'is set by the SDK: use clientId'],
  ['group.id', 'is set by the SDK: each response reader has a group of its own'],
  ['group.protocol', 'is set by the SDK'],
  ['partition.assignment.strategy', 'is set by the SDK'],
  ['auto.offset.reset', 'is set by the SDK: response readers start at the end of the log'],
  ['enable.auto.commit', 'is set by the SDK: response readers never commit'],
  ['enable.auto.offset.store', 'is set by the SDK: response readers never commit'],
  ['enable.partition.eof', 'is set by the SDK'],
  ['rebalance_cb', 'is set by the SDK: it positions the response readers'],
  ['offset_commit_cb', 'is set by the SDK'],
  ['acks', 'is set by the SDK: commands are acknowledged by all in-sync replicas'],
  ['request.required.acks', 'is set by the SDK: commands are acknowledged by all in-sync replicas'],
  ['enable.idempotence', 'is set by the SDK: the producer is idempotent'],
  ['dr_cb', 'is set by the SDK: it resolves each send on its delivery report'],
  ['dr_msg_cb', 'is set by the SDK: it resolves each send on its delivery report'],
]);

/**
 * Validates the command client's options and applies the defaults.
 *
 * @param input - what the application passed
 * @returns the complete options
 * @throws {@link OptionsError} listing `path: problem` for every bad field
 */
export function resolveCommandClientOptions(input: unknown): ResolvedCommandClientOptions {
  const parsed = schema.safeParse(input);
  const problems = [...schemaProblems(parsed), ...reservedSettingProblems(input, reservedSettings)];
  if (!parsed.success || problems.length > 0) throw new OptionsError(problems);
  const options = parsed.data;
  return {
    brokers: typeof options.brokers === 'string' ? options.brokers : options.brokers.join(','),
    requestTimeoutMs: options.requestTimeoutMs ?? commandClientDefaults.requestTimeoutMs,
    maxPendingRequests: options.maxPendingRequests ?? commandClientDefaults.maxPendingRequests,
    connectTimeoutMs: options.connectTimeoutMs ?? commandClientDefaults.connectTimeoutMs,
    closeTimeoutMs: options.closeTimeoutMs ?? commandClientDefaults.closeTimeoutMs,
    clientId: options.clientId ?? commandClientDefaults.clientId,
    kafka: options.kafka ?? {},
    logger: options.logger ?? consoleLogger,
    telemetry: resolveTelemetry(options.telemetry),
  };
}
