/**
 * The Hono simulator's options: the public type (documented by hand), the zod schema that validates it,
 * and the defaults, in one literal.
 *
 * @module
 */
import { z } from 'zod';
import { type Logger, reservedSettingProblems, schemaProblems } from '../consumer/options.js';
import { OptionsError } from '../errors.js';

/**
 * Options of a {@link HonoSimulator}.
 *
 * @category Testing
 */
export interface HonoSimulatorOptions {
  /** Bootstrap brokers: `'host:port,host:port'` or a list. */
  readonly brokers: string | readonly string[];
  /**
   * Further librdkafka settings for the simulator's producer and command consumers: TLS
   * (`security.protocol`, `ssl.*`), SASL (`sasl.*`), timeouts. `bootstrap.servers`, `group.id` and
   * `client.id` are set by the simulator and rejected here.
   * @defaultValue `{}`
   */
  readonly kafka?: Readonly<Record<string, string | number | boolean>> | undefined;
  /**
   * Where the simulator logs what it does: commands answered, failures of the test's answer function.
   * @defaultValue warnings and errors to the console
   */
  readonly logger?: Logger | undefined;
  /**
   * The protocol adapter the devices talk through: the `orig_adapter` header of their messages and the
   * `source` of their connection events.
   * @defaultValue 'hono-mqtt'
   */
  readonly adapter?: string | undefined;
  /** The client id the brokers see. @defaultValue 'hono-simulator' */
  readonly clientId?: string | undefined;
  /** How long connecting a client may take before a send or `answerCommands` fails. @defaultValue 30000 */
  readonly connectTimeoutMs?: number | undefined;
  /** How long {@link HonoSimulator.close} may take in all. @defaultValue 10000 */
  readonly closeTimeoutMs?: number | undefined;
}

/** Every option with its default applied. */
export interface ResolvedSimulatorOptions {
  readonly brokers: string;
  readonly kafka: Readonly<Record<string, string | number | boolean>>;
  readonly logger: Logger;
  readonly adapter: string;
  readonly clientId: string;
  readonly connectTimeoutMs: number;
  readonly closeTimeoutMs: number;
}

/** The defaults, in one place. */
export const simulatorDefaults = {
  adapter: 'hono-mqtt',
  clientId: 'hono-simulator',
  connectTimeoutMs: 30_000,
  closeTimeoutMs: 10_000,
} as const;

const consoleLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (message, context) => {
    console.warn(`[hono-simulator] ${message}`, context ?? '');
  },
  error: (message, context) => {
    console.error(`[hono-simulator] ${message}`, context ?? '');
  },
};

/** Node's timers wait at most 2^31 - 1 ms; a longer delay would fire after 1 ms. */
const maxTimerMs = 2 ** 31 - 1;
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

const brokersForm = "the bootstrap servers as 'host:port', 'host1:port,host2:port' or a list of 'host:port'";

const schema: z.ZodType<HonoSimulatorOptions> = z.strictObject(
  {
    brokers: z.union(
      [
        z.string().min(1, { error: `must not be empty: ${brokersForm}` }),
        z
          .array(z.string().min(1, { error: "must not be empty: a broker as 'host:port'" }))
          .min(1, { error: `must not be an empty list: ${brokersForm}` })
          .readonly(),
      ],
      { error: `is required: ${brokersForm}` },
    ),
    kafka: z.record(z.string(), setting).readonly().optional(),
    logger: loggerSchema.optional(),
    adapter: z.string().min(1).optional(),
    clientId: z.string().min(1).optional(),
    connectTimeoutMs: positiveMillis.optional(),
    closeTimeoutMs: positiveMillis.optional(),
  },
  {
    error: (issue) =>
      issue.code === 'invalid_type'
        ? "must be an object with at least brokers, e.g. { brokers: 'localhost:9092' }"
        : undefined,
  },
);

/** Settings the simulator sets itself, each with what to use instead. */
const reservedSettings = new Map<string, string>([
  ['bootstrap.servers', 'is set by the simulator: use brokers'],
  ['metadata.broker.list', 'is set by the simulator: use brokers'],
  ['group.id', 'is set by the simulator: use the groupId of answerCommands'],
  ['client.id', 'is set by the simulator: use clientId'],
]);

/**
 * Validates the simulator's options and applies the defaults.
 *
 * @param input - what the test passed
 * @returns the complete options
 * @throws {@link OptionsError} listing `path: problem` for every bad field
 */
export function resolveSimulatorOptions(input: unknown): ResolvedSimulatorOptions {
  const parsed = schema.safeParse(input);
  const problems = [...schemaProblems(parsed), ...reservedSettingProblems(input, reservedSettings)];
  if (!parsed.success || problems.length > 0) throw new OptionsError(problems);
  const options = parsed.data;
  return {
    brokers: typeof options.brokers === 'string' ? options.brokers : options.brokers.join(','),
    kafka: options.kafka ?? {},
    logger: options.logger ?? consoleLogger,
    adapter: options.adapter ?? simulatorDefaults.adapter,
    clientId: options.clientId ?? simulatorDefaults.clientId,
    connectTimeoutMs: options.connectTimeoutMs ?? simulatorDefaults.connectTimeoutMs,
    closeTimeoutMs: options.closeTimeoutMs ?? simulatorDefaults.closeTimeoutMs,
  };
}
