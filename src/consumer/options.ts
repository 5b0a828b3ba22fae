/**
 * The consumer's options: the public type (documented by hand), the zod schema that validates it, and
 * the defaults, in one literal.
 */
import { z } from 'zod';
import { type OptionProblem, OptionsError } from '../errors.js';
import type { RetryPolicy } from '../retry/backoff.js';
import { Ordering } from '../scheduling/ordering.js';
import { HonoEndpoint, MAX_TOPIC_NAME_LENGTH, prefixedTenantError, topicPrefix } from '../tenant.js';
import {
  type ResolvedTelemetry,
  resolveTelemetry,
  type TelemetryOptions,
  telemetrySchema,
} from '../telemetry/options.js';

/**
 * Where the SDK writes what it does. Any object with these four methods fits (console, pino, winston).
 *
 * @category Consumer
 */
export interface Logger {
  /**
   * Detail for troubleshooting: assignments, commits.
   *
   * @param message - what happened, in a short sentence
   * @param context - structured details, such as topics or offsets
   */
  debug(message: string, context?: Record<string, unknown>): void;
  /**
   * Milestones: started, stopped.
   *
   * @param message - what happened, in a short sentence
   * @param context - structured details, such as topics or the group id
   */
  info(message: string, context?: Record<string, unknown>): void;
  /**
   * Something went wrong and the SDK handled it (a retry, a paused partition, a client error).
   *
   * @param message - what happened, in a short sentence
   * @param context - structured details, such as the error code
   */
  warn(message: string, context?: Record<string, unknown>): void;
  /**
   * Something went wrong that needs attention.
   *
   * @param message - what happened, in a short sentence
   * @param context - structured details, such as the error
   */
  error(message: string, context?: Record<string, unknown>): void;
}

/**
 * What happens to a record whose handler still fails after the last attempt.
 *
 * @category Consumer
 */
export const FailureOutcome = {
  /**
   * Pause the record's partition and emit an error, then keep trying the record every
   * `retry.maxDelayMs` until it succeeds (the partition resumes) or the partition is released: nothing
   * is skipped silently. A record that does not decode is not tried again; it waits for the release.
   */
  pause: 'pause',
  /**
   * Produce the record to the dead-letter topic, then commit past it. When the write fails, the
   * partition pauses as with `pause` and the record is tried again.
   */
  deadLetter: 'deadLetter',
  /** Commit past the record and emit `skipped`. */
  skip: 'skip',
} as const;
/**
 * One of {@link FailureOutcome}.
 *
 * @category Consumer
 */
export type FailureOutcome = (typeof FailureOutcome)[keyof typeof FailureOutcome];

/**
 * Retries of a failing handler, with exponential backoff and jitter.
 *
 * @category Consumer
 */
export interface RetryOptions {
  /**
   * Attempts in all, the first included. 1 means no retry. After the last one, `onFailure` applies.
   * @defaultValue 3
   */
  readonly maxAttempts?: number | undefined;
  /** Delay before the first retry, in ms. @defaultValue 200 */
  readonly initialDelayMs?: number | undefined;
  /**
   * Upper bound of any delay, in ms; also the interval of the tries while paused for a failure.
   * @defaultValue 30000
   */
  readonly maxDelayMs?: number | undefined;
  /** Growth of the delay per attempt (1 or more). @defaultValue 2 */
  readonly multiplier?: number | undefined;
  /**
   * Up to this share of each delay is taken off at random (0 to 1; 0 means no jitter).
   * @defaultValue 0.2
   */
  readonly jitter?: number | undefined;
}

/**
 * Options of a {@link HonoEventConsumer}.
 *
 * @category Consumer
 */
export interface HonoEventConsumerOptions {
  /** Bootstrap brokers: `'host:port,host:port'` or a list. */
  readonly brokers: string | readonly string[];
  /**
   * The tenant, the tenants, or `'*'` for every tenant, whose topics to consume. With `'*'` the consumer
   * subscribes to a pattern (`^hono\.event\..+`), takes each record's tenant from its topic, and reads
   * the topic of a tenant created while it runs from its first record, within about 15 s (the client
   * looks for new topics every 10 s, `topic.metadata.refresh.interval.ms`; with `groupProtocol:
   * 'consumer'` the broker matches the pattern, at most every 10 s).
   */
  readonly tenant: string | readonly string[];
  /**
   * The endpoints whose topics to consume: `event` (`hono.event.<tenant>`), `telemetry`
   * (`hono.telemetry.<tenant>`), or both. Every event says where it came from (`endpoint`, `tenantId`).
   * @defaultValue 'event'
   */
  readonly endpoints?: HonoEndpoint | readonly HonoEndpoint[] | undefined;
  /**
   * What a record with `qos` 0 gets (telemetry a device sent "at most once"; Hono writes `qos` on every
   * telemetry record and event, and a record without it counts as `qos` 1):
   * - `atLeastOnce`: the same as every other record: committed only after its handler resolved, retried,
   *   and the `onFailure` outcome. After a crash it is handled again, as Hono's own consumer does.
   * - `atMostOnce`: its offset counts as done once it is fetched, so it never holds back a commit; its
   *   handler is called once (in its device's order) and not retried, and a failure is reported as
   *   `handlerError` and `skipped`. After a crash, the qos-0 records fetched but not handled yet are lost:
   *   per partition at most `maxUncommitted` (fetching pauses at that many), and in all about
   *   `maxInFlight` (plus one poll's `batchSize`).
   * @defaultValue 'atLeastOnce'
   */
  readonly qos0?: 'atLeastOnce' | 'atMostOnce' | undefined;
  /**
   * The consumer group. Required: the group's committed offsets are where a restarted application
   * resumes, so a random group would never resume.
   */
  readonly groupId: string;
  /**
   * Where a group without committed offsets (or with a committed offset that no longer exists) starts.
   * `latest` means the records written after the partition was assigned (a record written between `run()`
   * and the assignment is not read); a topic that did not exist at the start (a new tenant) is read from
   * its first record.
   * @defaultValue 'earliest'
   */
  readonly startFrom?: 'earliest' | 'latest' | undefined;
  /**
   * Which records may be handled at the same time: `device` keeps each device's records in order and
   * handles different devices concurrently; `partition` handles one record per partition at a time;
   * `none` keeps no order. @defaultValue 'device'
   */
  readonly ordering?: Ordering | undefined;
  /** Handlers running at the same time, across all partitions. @defaultValue 32 */
  readonly concurrency?: number | undefined;
  /**
   * Records fetched but not yet finished (running, waiting or retrying), not counting those of
   * partitions paused for a failure or for their backlog (`maxUncommitted` bounds those). When this
   * many are held, the poll loop waits up to a second for half of them to finish; if they do not, the
   * partitions holding their share (`maxInFlight` divided by the owned partitions) or more pause, and
   * the others go on fetching up to their share, so one slow, failing or chatty device stops only its
   * own partition. A partition resumes once it holds half its share, all of them once half of
   * `maxInFlight` is held. @defaultValue 1000
   */
  readonly maxInFlight?: number | undefined;
  /**
   * Per partition, how far fetching may run ahead of the position that would be committed now (the
   * lowest record not finished yet): the most offsets from that record up to the newest fetched one,
   * both included. At the bound the partition pauses (reason `backlog`), while its other records go on
   * and every other partition keeps fetching; it resumes once the distance is half the bound or less.
   * This bounds what a crash makes the next owner handle again: per partition, at most this many
   * records past the committable position, plus those that became committable since the last
   * confirmed commit. @defaultValue 5000
   */
  readonly maxUncommitted?: number | undefined;
  /**
   * Records fetched per poll, at most. The client makes a poll's records on the consumer's thread (about
   * 10 µs each), and the SDK takes them in there: a poll of 500 blocks the thread for about 5 ms, and the
   * handlers' timers and I/O callbacks wait meanwhile. Smaller polls keep the event loop responsive; larger
   * ones save a little per record when handlers do no I/O. @defaultValue 100
   */
  readonly batchSize?: number | undefined;
  /**
   * Retries of a failing handler; fields left out keep their defaults.
   * @defaultValue `{ maxAttempts: 3, initialDelayMs: 200, maxDelayMs: 30000, multiplier: 2, jitter: 0.2 }`
   */
  readonly retry?: RetryOptions | undefined;
  /**
   * What happens to a record after the last failed attempt, and to a record that does not decode when
   * there is no `invalid` handler (see {@link FailureOutcome}). @defaultValue 'pause'
   */
  readonly onFailure?: FailureOutcome | undefined;
  /**
   * Topic for `onFailure: 'deadLetter'`; required there with several tenants. Unused otherwise.
   * @defaultValue `hono.event.<tenant>.dlq`
   */
  readonly deadLetterTopic?: string | undefined;
  /**
   * A handler still running after this long counts as a failed attempt, and its `signal` aborts. The SDK
   * cannot end a call that ignores its signal: the retry, the later records of its device (or partition,
   * with `ordering: 'partition'`) and any commit past the record wait until the call settles, so two
   * calls of one device never overlap. A call still running after twice this long is reported once as an
   * `error` (`ERR_HONO_HANDLER_TIMEOUT`) and keeps waiting; a revoke or `stop()` waits for it at most
   * `drainTimeoutMs`, and then leaves the record and its device's later records uncommitted for the
   * partition's next owner. @defaultValue 60000
   */
  readonly handlerTimeoutMs?: number | undefined;
  /** How long a revoke or `stop()` waits for the fetched records of a partition (running, waiting, retrying) to finish. @defaultValue 15000 */
  readonly drainTimeoutMs?: number | undefined;
  /** How often finished positions are committed (also on revoke and stop). @defaultValue 5000 */
  readonly commitIntervalMs?: number | undefined;
  /**
   * How often unchanged positions are committed again, so that the broker does not expire them
   * (`offsets.retention.minutes`). @defaultValue 3600000
   */
  readonly recommitIntervalMs?: number | undefined;
  /** Records whose `ttl` expired: skipped (as Hono does) or delivered. Either way they are committed. @defaultValue 'skip' */
  readonly expired?: 'skip' | 'deliver' | undefined;
  /**
   * The group protocol: `classic` with the cooperative-sticky assignor, or `consumer` (KIP-848, Kafka 4).
   * @defaultValue 'classic'
   */
  readonly groupProtocol?: 'classic' | 'consumer' | undefined;
  /** How long `run()` waits for the first answer of a broker before it fails. @defaultValue 30000 */
  readonly connectTimeoutMs?: number | undefined;
  /**
   * How long `stop()` may take after the drain (`drainTimeoutMs`): its last commit (retried for up to
   * three quarters of this), leaving the group and closing the Kafka client and the dead-letter producer share
   * this one deadline, so that `stop()` resolves within `drainTimeoutMs + closeTimeoutMs` even when
   * the brokers do not answer. @defaultValue 10000
   */
  readonly closeTimeoutMs?: number | undefined;
  /** The client id the brokers see. @defaultValue 'eclipse-hono-kafka' */
  readonly clientId?: string | undefined;
  /**
   * Further librdkafka settings, passed through: TLS (`security.protocol`, `ssl.*`), SASL (`sasl.*`),
   * timeouts. Secret values never appear in logs, errors or events. Settings the SDK sets itself
   * (`group.id`, `bootstrap.servers`, `enable.auto.commit`, `auto.offset.reset`, ...) are rejected with
   * an {@link OptionsError}; so are, by the constructor, names librdkafka does not know and values it
   * refuses. The SDK's one default here: `topic.metadata.refresh.interval.ms` is 10000 (librdkafka's
   * own is 5 minutes), so that a tenant topic created after the consumer started is read within about
   * 10 s; set it here to change that.
   * @defaultValue `{ 'topic.metadata.refresh.interval.ms': 10000 }`
   */
  readonly kafka?: Readonly<Record<string, string | number | boolean>> | undefined;
  /**
   * Where the SDK logs; it gets every `error` event too (a paused partition, a client failure), with or
   * without a listener. @defaultValue warnings and errors to the console
   */
  readonly logger?: Logger | undefined;
  /**
   * Tracing and metrics through OpenTelemetry (see {@link TelemetryOptions}); `false` turns them off.
   * The SDK's `node:diagnostics_channel` channels publish either way (free while nothing subscribes).
   * @defaultValue on, with the providers the application registered globally: a no-op without them, or
   *   without `@opentelemetry/api`
   */
  readonly telemetry?: TelemetryOptions | false | undefined;
}

/** Every option with its default applied. */
export interface ResolvedOptions {
  readonly brokers: string;
  /** The tenants named; empty with `'*'`. */
  readonly tenants: readonly string[];
  /** Whether the consumer reads every tenant (`tenant: '*'`). */
  readonly allTenants: boolean;
  /** The endpoints read. */
  readonly endpoints: readonly HonoEndpoint[];
  /** The subscription: topic names, or patterns starting with `^` with `'*'`. */
  readonly topics: readonly string[];
  readonly qos0: 'atLeastOnce' | 'atMostOnce';
  readonly groupId: string;
  readonly startFrom: 'earliest' | 'latest';
  readonly ordering: Ordering;
  readonly concurrency: number;
  readonly maxInFlight: number;
  readonly maxUncommitted: number;
  readonly batchSize: number;
  readonly retry: RetryPolicy;
  readonly onFailure: FailureOutcome;
  readonly deadLetterTopic: string | undefined;
  readonly handlerTimeoutMs: number;
  readonly drainTimeoutMs: number;
  readonly commitIntervalMs: number;
  readonly recommitIntervalMs: number;
  readonly expired: 'skip' | 'deliver';
  readonly groupProtocol: 'classic' | 'consumer';
  readonly connectTimeoutMs: number;
  readonly closeTimeoutMs: number;
  readonly clientId: string;
  readonly kafka: Readonly<Record<string, string | number | boolean>>;
  readonly logger: Logger;
  readonly telemetry: ResolvedTelemetry;
}

/** The defaults, in one place. */
export const defaults = {
  startFrom: 'earliest',
  endpoints: ['event'],
  qos0: 'atLeastOnce',
  ordering: 'device',
  concurrency: 32,
  maxInFlight: 1000,
  maxUncommitted: 5000,
  batchSize: 100,
  retry: { maxAttempts: 3, initialDelayMs: 200, maxDelayMs: 30_000, multiplier: 2, jitter: 0.2 },
  onFailure: 'pause',
  handlerTimeoutMs: 60_000,
  drainTimeoutMs: 15_000,
  commitIntervalMs: 5_000,
  recommitIntervalMs: 3_600_000,
  expired: 'skip',
  groupProtocol: 'classic',
  connectTimeoutMs: 30_000,
  closeTimeoutMs: 10_000,
  clientId: 'eclipse-hono-kafka',
} as const;

/**
 * librdkafka settings the SDK defaults differently from librdkafka; the `kafka` option overrides them.
 * Metadata every 10 s (not 5 min): a topic created after the consumer started is read within ~10 s.
 */
export const kafkaDefaults: Readonly<Record<string, number>> = {
  'topic.metadata.refresh.interval.ms': 10_000,
};

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
const maxTimerMs = 2 ** 31 - 1;
const positiveInt = z.number().int().positive();
const millis = z.number().int().nonnegative().max(maxTimerMs);
const positiveMillis = z.number().int().positive().max(maxTimerMs);
const setting = z.union([z.string(), z.number(), z.boolean()]);
const loggerSchema = z.custom<Logger>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    ['debug', 'info', 'warn', 'error'].every(
      (level) => typeof (value as Record<string, unknown>)[level] === 'function',
    ),
  { message: 'must have debug, info, warn and error methods' },
);

/** A short description of a value that did not fit, for messages: never the whole value. */
function describeValue(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  if (typeof value === 'string')
    return value === '' ? 'an empty string' : `the string ${JSON.stringify(value.slice(0, 40))}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (Array.isArray(value))
    return value.length === 0 ? 'an empty list' : 'a list with a non-string or empty entry';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * A zod error function for a required option: says what is required, and in which form.
 *
 * @param form - what the option holds and how to write it
 * @returns `is required: <form>` for a missing value, `must be <form>, got <value>` otherwise
 */
function expected(form: string): (issue: { readonly input?: unknown }) => string {
  return (issue) =>
    issue.input === undefined ? `is required: ${form}` : `must be ${form}; got ${describeValue(issue.input)}`;
}

const brokersForm = "the bootstrap servers as 'host:port', 'host1:port,host2:port' or a list of 'host:port'";
const tenantForm =
  "the Hono tenant id, e.g. 'DEFAULT_TENANT', a non-empty list of tenant ids, or '*' for every tenant";
const endpointsForm = "'event', 'telemetry', or a non-empty list of them";

const schema: z.ZodType<HonoEventConsumerOptions> = z.strictObject(
  {
    brokers: z.union(
      [
        z.string().min(1, { error: `must not be empty: ${brokersForm}` }),
        z
          .array(z.string().min(1, { error: "must not be empty: a broker as 'host:port'" }))
          .min(1, { error: `must not be an empty list: ${brokersForm}` })
          .readonly(),
      ],
      { error: expected(brokersForm) },
    ),
    tenant: z.union(
      [
        z.string(),
        z
          .array(z.string())
          .min(1, { error: `must not be an empty list: ${tenantForm}` })
          .readonly(),
      ],
      { error: expected(tenantForm) },
    ),
    groupId: z
      .string({
        error: expected(
          "the consumer group id, e.g. 'my-app' (a random group never resumes where the application stopped)",
        ),
      })
      .min(1, {
        error: 'must not be empty: a random group never resumes where the application stopped',
      }),
    endpoints: z
      .union(
        [
          z.enum([HonoEndpoint.Event, HonoEndpoint.Telemetry]),
          z
            .array(z.enum([HonoEndpoint.Event, HonoEndpoint.Telemetry]))
            .min(1, { error: `must not be an empty list: ${endpointsForm}` })
            .readonly(),
        ],
        { error: expected(endpointsForm) },
      )
      .optional(),
    qos0: z.enum(['atLeastOnce', 'atMostOnce']).optional(),
    startFrom: z.enum(['earliest', 'latest']).optional(),
    ordering: z.enum([Ordering.device, Ordering.partition, Ordering.none]).optional(),
    concurrency: positiveInt.optional(),
    maxInFlight: positiveInt.optional(),
    maxUncommitted: positiveInt.optional(),
    batchSize: positiveInt.max(100_000).optional(),
    retry: z
      .strictObject({
        maxAttempts: positiveInt.optional(),
        initialDelayMs: millis.optional(),
        maxDelayMs: millis.optional(),
        multiplier: z.number().min(1).optional(),
        jitter: z.number().min(0).max(1).optional(),
      })
      .optional(),
    onFailure: z.enum([FailureOutcome.pause, FailureOutcome.deadLetter, FailureOutcome.skip]).optional(),
    deadLetterTopic: z
      .string()
      .regex(/^[a-zA-Z0-9._-]{1,249}$/, { error: 'must be a valid Kafka topic name' })
      .optional(),
    handlerTimeoutMs: positiveMillis.optional(),
    drainTimeoutMs: millis.optional(),
    commitIntervalMs: positiveMillis.optional(),
    recommitIntervalMs: positiveMillis.optional(),
    expired: z.enum(['skip', 'deliver']).optional(),
    groupProtocol: z.enum(['classic', 'consumer']).optional(),
    connectTimeoutMs: positiveMillis.optional(),
    closeTimeoutMs: positiveMillis.optional(),
    clientId: z.string().min(1).optional(),
    kafka: z.record(z.string(), setting).readonly().optional(),
    logger: loggerSchema.optional(),
    telemetry: telemetrySchema.optional(),
  },
  {
    error: (issue) =>
      issue.code === 'invalid_type'
        ? `must be an object with at least brokers, tenant and groupId, e.g. { brokers: 'kafka:9092', tenant: 'DEFAULT_TENANT', groupId: 'my-app' }; got ${describeValue(issue.input)}`
        : undefined,
  },
);

/** Settings the SDK owns, each with what to use instead: passing them through would break its guarantees. */
const reservedSettings = new Map<string, string>([
  ['group.id', 'is set by the SDK: use groupId'],
  ['client.id', 'is set by the SDK: use clientId'],
  ['bootstrap.servers', 'is set by the SDK: use brokers'],
  ['metadata.broker.list', 'is set by the SDK: use brokers'],
  ['enable.auto.commit', 'is set by the SDK: it commits only what was processed'],
  ['enable.auto.offset.store', 'is set by the SDK: it commits only what was processed'],
  ['auto.offset.reset', 'is set by the SDK: use startFrom'],
  ['partition.assignment.strategy', 'is set by the SDK: use groupProtocol'],
  ['group.protocol', 'is set by the SDK: use groupProtocol'],
  ['enable.partition.eof', 'is set by the SDK'],
  ['rebalance_cb', 'is set by the SDK: it drains partitions before releasing them'],
  ['offset_commit_cb', 'is set by the SDK: it reports commits through the committed and commitFailed events'],
]);

/**
 * The problems of a failed schema parse, as `path: problem`.
 *
 * @param parsed - what `schema.safeParse(input)` returned
 * @returns one problem per issue; none when the parse succeeded
 */
export function schemaProblems(parsed: {
  readonly success: boolean;
  readonly error?:
    | { readonly issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[] }
    | undefined;
}): OptionProblem[] {
  return parsed.success || parsed.error === undefined
    ? []
    : parsed.error.issues.map((issue) => ({
        path: issue.path.map(String).join('.'),
        message: issue.message,
      }));
}

/**
 * The pass-through `kafka` settings of raw options that the SDK sets itself. Checked on input that failed
 * the schema too, so that one error lists every problem.
 *
 * @param input - the options as given
 * @param reserved - the settings the SDK sets, each with what to use instead
 * @returns one problem per reserved setting given (`kafka.<name>`)
 */
export function reservedSettingProblems(
  input: unknown,
  reserved: ReadonlyMap<string, string>,
): OptionProblem[] {
  const kafka =
    typeof input === 'object' && input !== null ? (input as Record<string, unknown>)['kafka'] : undefined;
  if (typeof kafka !== 'object' || kafka === null) return [];
  return Object.keys(kafka).flatMap((key) => {
    const owner = reserved.get(key);
    return owner === undefined ? [] : [{ path: `kafka.${key}`, message: owner }];
  });
}

/** The `tenant` that stands for every tenant. */
export const ALL_TENANTS = '*';

/**
 * The subscription pattern of every tenant's topic under a prefix: it matches under librdkafka's POSIX
 * regular expressions (a search) and the broker's RE2/J (a full match) alike.
 *
 * @param prefix - e.g. `hono.event.`
 * @returns e.g. `^hono\.event\..+`
 */
export function allTenantsPattern(prefix: string): string {
  return `^${prefix.replaceAll('.', '\\.')}.+`;
}

/**
 * Validates options and applies the defaults.
 *
 * @param input - what the application passed
 * @param fixedPrefix - the prefix of the consumed topics for a consumer of one kind of topic, e.g.
 *   `hono.command_response.` (the command response consumer, which takes no `endpoints`); without it, the
 *   prefixes of the `endpoints`
 * @returns the complete options
 * @throws {@link OptionsError} listing `path: problem` for every bad field
 */
export function resolveOptions(input: unknown, fixedPrefix?: string): ResolvedOptions {
  const parsed = schema.safeParse(input);
  const problems = schemaProblems(parsed);
  // The checks beyond the schema also run on input that failed it, so that one error lists everything.
  const raw = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const prefixes = prefixesOf(raw, fixedPrefix);
  problems.push(...crossFieldProblems(raw, prefixes, fixedPrefix !== undefined));
  if (!parsed.success || problems.length > 0) throw new OptionsError(problems);
  const options = parsed.data;
  const allTenants = options.tenant === ALL_TENANTS;
  const tenants = allTenants
    ? []
    : typeof options.tenant === 'string'
      ? [options.tenant]
      : [...options.tenant];
  const endpoints =
    options.endpoints === undefined
      ? defaults.endpoints
      : typeof options.endpoints === 'string'
        ? [options.endpoints]
        : [...new Set(options.endpoints)];

  const retry: RetryPolicy = {
    maxAttempts: options.retry?.maxAttempts ?? defaults.retry.maxAttempts,
    initialDelayMs: options.retry?.initialDelayMs ?? defaults.retry.initialDelayMs,
    maxDelayMs: options.retry?.maxDelayMs ?? defaults.retry.maxDelayMs,
    multiplier: options.retry?.multiplier ?? defaults.retry.multiplier,
    jitter: options.retry?.jitter ?? defaults.retry.jitter,
  };
  return {
    brokers: typeof options.brokers === 'string' ? options.brokers : options.brokers.join(','),
    tenants,
    allTenants,
    endpoints,
    topics: allTenants
      ? prefixes.map((prefix) => allTenantsPattern(prefix))
      : prefixes.flatMap((prefix) => tenants.map((tenant) => prefix + tenant)),
    qos0: options.qos0 ?? defaults.qos0,
    groupId: options.groupId,
    startFrom: options.startFrom ?? defaults.startFrom,
    ordering: options.ordering ?? defaults.ordering,
    concurrency: options.concurrency ?? defaults.concurrency,
    maxInFlight: options.maxInFlight ?? defaults.maxInFlight,
    maxUncommitted: options.maxUncommitted ?? defaults.maxUncommitted,
    batchSize: options.batchSize ?? defaults.batchSize,
    retry,
    onFailure: options.onFailure ?? defaults.onFailure,
    deadLetterTopic:
      options.deadLetterTopic ??
      (options.onFailure === 'deadLetter'
        ? defaultDeadLetterTopic(prefixes[0] ?? '', tenants[0] ?? '')
        : undefined),
    handlerTimeoutMs: options.handlerTimeoutMs ?? defaults.handlerTimeoutMs,
    drainTimeoutMs: options.drainTimeoutMs ?? defaults.drainTimeoutMs,
    commitIntervalMs: options.commitIntervalMs ?? defaults.commitIntervalMs,
    recommitIntervalMs: options.recommitIntervalMs ?? defaults.recommitIntervalMs,
    expired: options.expired ?? defaults.expired,
    groupProtocol: options.groupProtocol ?? defaults.groupProtocol,
    connectTimeoutMs: options.connectTimeoutMs ?? defaults.connectTimeoutMs,
    closeTimeoutMs: options.closeTimeoutMs ?? defaults.closeTimeoutMs,
    clientId: options.clientId ?? defaults.clientId,
    kafka: options.kafka ?? {},
    logger: options.logger ?? consoleLogger,
    telemetry: resolveTelemetry(options.telemetry),
  };
}

function defaultDeadLetterTopic(prefix: string, tenant: string): string {
  return `${prefix}${tenant}.dlq`;
}

/** The prefixes of the consumed topics: the fixed one, or those of the endpoints given (valid ones only). */
function prefixesOf(raw: Record<string, unknown>, fixedPrefix: string | undefined): string[] {
  if (fixedPrefix !== undefined) return [fixedPrefix];
  const given = raw['endpoints'];
  const endpoints = (
    typeof given === 'string' ? [given] : Array.isArray(given) ? (given as unknown[]) : []
  ).filter(
    (endpoint): endpoint is HonoEndpoint =>
      endpoint === HonoEndpoint.Event || endpoint === HonoEndpoint.Telemetry,
  );
  return [...new Set(endpoints.length > 0 ? endpoints : defaults.endpoints)].map((endpoint) =>
    topicPrefix(endpoint),
  );
}

/**
 * Tenant ids, endpoints, pass-through settings and the dead-letter topic: what the schema alone cannot
 * check.
 */
function crossFieldProblems(
  raw: Record<string, unknown>,
  prefixes: readonly string[],
  fixed: boolean,
): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const tenant = raw['tenant'];
  const all = tenant === ALL_TENANTS;
  const tenants = all
    ? []
    : typeof tenant === 'string'
      ? [tenant]
      : Array.isArray(tenant)
        ? (tenant as unknown[])
        : [];
  tenants.forEach((candidate, index) => {
    const path = typeof tenant === 'string' ? 'tenant' : `tenant.${index}`;
    if (candidate === ALL_TENANTS) {
      problems.push({ path, message: "'*' stands for every tenant: pass it alone, as tenant: '*'" });
      return;
    }
    for (const prefix of prefixes) {
      const reason = prefixedTenantError(prefix, candidate);
      if (reason !== undefined) {
        problems.push({ path, message: reason });
        return;
      }
    }
  });
  if (fixed && raw['endpoints'] !== undefined) {
    problems.push({
      path: 'endpoints',
      message: 'is not an option of this consumer: it reads one kind of topic',
    });
  }
  problems.push(...reservedSettingProblems(raw, reservedSettings));
  if (raw['onFailure'] === 'deadLetter') problems.push(...deadLetterProblems(raw, prefixes, tenants, all));
  return problems;
}

/** With `onFailure: 'deadLetter'`: a dead-letter topic that the default cannot provide, or that the consumer would read. */
function deadLetterProblems(
  raw: Record<string, unknown>,
  prefixes: readonly string[],
  tenants: readonly unknown[],
  all: boolean,
): OptionProblem[] {
  const given = raw['deadLetterTopic'];
  if (typeof given === 'string') {
    const read = all && prefixes.some((prefix) => given.startsWith(prefix) && given.length > prefix.length);
    return read
      ? [
          {
            path: 'deadLetterTopic',
            message: `must not match the subscription (${prefixes.map((prefix) => allTenantsPattern(prefix)).join(', ')}): the consumer would read its own dead letters; e.g. 'dlq.${prefixes[0] ?? ''}all'`,
          },
        ]
      : [];
  }
  if (given !== undefined) return [];
  if (all)
    return [{ path: 'deadLetterTopic', message: 'is required with onFailure "deadLetter" and tenant \'*\'' }];
  if (tenants.length > 1) {
    return [
      { path: 'deadLetterTopic', message: 'is required with onFailure "deadLetter" and several tenants' },
    ];
  }
  if (prefixes.length > 1) {
    return [
      { path: 'deadLetterTopic', message: 'is required with onFailure "deadLetter" and several endpoints' },
    ];
  }
  const first = tenants[0];
  const prefix = prefixes[0] ?? '';
  if (typeof first === 'string' && prefixedTenantError(prefix, first) === undefined) {
    const topic = defaultDeadLetterTopic(prefix, first);
    if (topic.length > MAX_TOPIC_NAME_LENGTH) {
      return [
        {
          path: 'deadLetterTopic',
          message: `is required: the default ${topic.length}-character topic would exceed Kafka's ${MAX_TOPIC_NAME_LENGTH}`,
        },
      ];
    }
  }
  return [];
}

/** Setting names whose values are secrets. */
const secretSetting = /(password|secret|token|private|credential|jaas|\.key$|key\.pem|oauthbearer\.config)/i;

/**
 * Copies librdkafka settings with every secret value replaced by `[redacted]`, for logs and errors.
 *
 * @param settings - librdkafka settings
 * @returns a copy that is safe to show
 */
export function redactSettings(settings: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(settings).map(([key, value]) => [key, secretSetting.test(key) ? '[redacted]' : value]),
  );
}

/**
 * The secret values among librdkafka settings, so that messages can be scrubbed of them.
 *
 * @param settings - librdkafka settings
 * @returns every non-empty secret value
 */
export function secretValues(settings: Readonly<Record<string, unknown>>): string[] {
  return Object.entries(settings)
    .filter(
      ([key, value]) => secretSetting.test(key) && (typeof value === 'string' || typeof value === 'number'),
    )
    .map(([, value]) => String(value))
    .filter((value) => value !== '');
}
