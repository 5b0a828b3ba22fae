/**
 * The application's handlers: one per kind of Hono event, a catch-all, and one for records that do not
 * decode. The SDK commits a record only after its handler's promise resolved.
 */
import { z } from 'zod';
import { type DecodeError, type OptionProblem, OptionsError } from '../errors.js';
import type {
  ConnectionEvent,
  EmptyNotification,
  HonoEvent,
  ProvisioningNotification,
} from '../wire/types.js';
import type { KafkaRecord } from '../types.js';

/**
 * What a handler gets besides the event.
 *
 * @category Handlers and lifecycle events
 */
export interface HandlerContext {
  /** The attempt, 1 for the first call; retries count up. */
  readonly attempt: number;
  /**
   * Aborted when the handler ran past `handlerTimeoutMs`, when the drain time of a revoke or `stop()` is
   * over, or when the partition was lost. Pass it to `fetch` and database drivers so that abandoned work
   * stops.
   */
  readonly signal: AbortSignal;
  /** The record's topic. */
  readonly topic: string;
  /** The record's partition. */
  readonly partition: number;
  /** The record's offset. */
  readonly offset: number;
}

/**
 * Handles one kind of event. Resolve when the event is fully processed; throw or reject to have it
 * retried. The SDK never commits the record before this promise resolved.
 *
 * @typeParam Event - the kind of event handled
 * @param event - the decoded event
 * @param context - the attempt, an abort signal and the record's position
 * @returns nothing when done at once, or a promise that resolves when the event is processed
 * @category Handlers and lifecycle events
 */
export type EventHandler<Event> = (event: Event, context: HandlerContext) => Promise<void> | void;

/**
 * Handles a record that is not a valid Hono event. Resolve to commit past it; throw or reject to have it
 * retried like any other handler.
 *
 * @param error - why the record did not decode, with a stable `code`
 * @param record - the raw record, as the Kafka client delivered it
 * @param context - the attempt, an abort signal and the record's position
 * @returns nothing when done at once, or a promise that resolves when the record is dealt with
 * @example
 * ```ts
 * const invalid: InvalidRecordHandler = async (error, record) => {
 *   await quarantine.save({ code: error.code, topic: record.topic, offset: record.offset, value: record.value });
 * };
 * ```
 * @category Handlers and lifecycle events
 */
export type InvalidRecordHandler = (
  error: DecodeError,
  record: KafkaRecord,
  context: HandlerContext,
) => Promise<void> | void;

/**
 * The handlers passed to {@link HonoEventConsumer.run}: at least one of them, each a function (`run()`
 * rejects anything else with an {@link OptionsError}). A kind without its own handler goes to `event`; a
 * record whose kind has no handler at all is committed without processing. A record that does not decode
 * goes to `invalid`; without an `invalid` handler, the `onFailure` outcome applies to it.
 *
 * @example
 * ```ts
 * await consumer.run({
 *   connection: async (event) => { await devices.setOnline(event.deviceId, event.cause === 'connected'); },
 *   emptyNotification: async (event) => { await commands.deviceReady(event); },
 *   event: async (event) => { await store.save(event); },
 *   invalid: async (error, record) => { log.warn(error.message, { offset: record.offset }); },
 * });
 * ```
 * @category Handlers and lifecycle events
 */
export interface HonoEventHandlers {
  /**
   * Connection events: a device connected or disconnected.
   * @defaultValue none: connection events go to `event`
   */
  readonly connection?: EventHandler<ConnectionEvent> | undefined;
  /**
   * Empty notifications: usually a device's command window (`ttd`).
   * @defaultValue none: empty notifications go to `event`
   */
  readonly emptyNotification?: EventHandler<EmptyNotification> | undefined;
  /**
   * Device provisioning notifications.
   * @defaultValue none: provisioning notifications go to `event`
   */
  readonly provisioning?: EventHandler<ProvisioningNotification> | undefined;
  /**
   * Every event without a handler of its own kind, and all other content types.
   * @defaultValue none: such events are committed without processing
   */
  readonly event?: EventHandler<HonoEvent> | undefined;
  /**
   * Records that are not valid Hono events (a `decodeError` event is emitted first).
   * @defaultValue none: the `onFailure` outcome applies to them
   */
  readonly invalid?: InvalidRecordHandler | undefined;
}

const handlerFunction = z
  .custom<(...args: never[]) => unknown>((value) => typeof value === 'function', {
    error: (issue) => `must be a function; got ${issue.input === null ? 'null' : typeof issue.input}`,
  })
  .optional();

/** ` (did you mean "event"?)` for a name one or two edits away from one of `names`, else nothing. */
function closestName(key: string, names: readonly string[]): string {
  const distance = (a: string, b: string): number => {
    let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
    for (let i = 1; i <= a.length; i++) {
      const row = [i];
      for (let j = 1; j <= b.length; j++) {
        row[j] = Math.min(
          (previous[j] ?? 0) + 1,
          (row[j - 1] ?? 0) + 1,
          (previous[j - 1] ?? 0) + (a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1),
        );
      }
      previous = row;
    }
    return previous[b.length] ?? Number.POSITIVE_INFINITY;
  };
  const best = names
    .map((name) => ({ name, distance: distance(key, name) }))
    .sort((a, b) => a.distance - b.distance)[0];
  return best !== undefined && best.distance <= 2 ? ` (did you mean "${best.name}"?)` : '';
}

/**
 * Checks what an application passes to a consumer's `run()`: an object whose keys are handler names, each a
 * function, with at least one handler (without any, every record would be committed unprocessed).
 *
 * @param input - the handlers as passed
 * @param names - the handler names the consumer knows
 * @param example - a sample handler object for the error message, e.g. `{ event: async (event) => { ... } }`
 * @throws {@link OptionsError} listing `handlers.<name>: problem` for each bad handler, or `handlers: problem`
 */
export function checkHandlers(input: unknown, names: readonly string[], example: string): void {
  const schema = z.strictObject(Object.fromEntries(names.map((name) => [name, handlerFunction])), {
    error: (issue) =>
      issue.code === 'invalid_type'
        ? `must be an object of handler functions, e.g. ${example}; got ${issue.input === null ? 'null' : typeof issue.input}`
        : undefined,
  });
  const parsed = schema.safeParse(input);
  const problems: OptionProblem[] = parsed.success
    ? []
    : parsed.error.issues.flatMap((issue) =>
        issue.code === 'unrecognized_keys'
          ? issue.keys.map((key) => ({
              path: `handlers.${key}`,
              message: `is no handler${closestName(key, names)}; the handlers are ${names.join(', ')}`,
            }))
          : [{ path: ['handlers', ...issue.path.map(String)].join('.'), message: issue.message }],
      );
  if (parsed.success && names.every((name) => parsed.data[name] === undefined)) {
    problems.push({
      path: 'handlers',
      message: `must have at least one handler (${names.join(', ')}): without one, every record would be committed unprocessed`,
    });
  }
  if (problems.length > 0) throw new OptionsError(problems);
}

/**
 * Checks what the application passed to {@link HonoEventConsumer.run} (see {@link checkHandlers}).
 *
 * @param input - the handlers as passed
 * @returns the same handlers
 * @throws {@link OptionsError} listing `handlers.<name>: problem` for each bad handler, or `handlers: problem`
 */
export function validateHandlers(input: unknown): HonoEventHandlers {
  checkHandlers(
    input,
    ['connection', 'emptyNotification', 'provisioning', 'event', 'invalid'],
    '{ event: async (event) => { ... } }',
  );
  return input as HonoEventHandlers;
}

/**
 * The handler for a decoded event: its own kind's, else the catch-all, else none.
 *
 * @param handlers - the application's handlers
 * @param event - the decoded event
 * @returns a function that calls the right handler, or undefined when none applies
 */
export function handlerFor(
  handlers: HonoEventHandlers,
  event: HonoEvent,
): ((context: HandlerContext) => Promise<void> | void) | undefined {
  const specific = pickHandler(handlers, event);
  if (specific !== undefined) return specific;
  const fallback = handlers.event;
  return fallback === undefined ? undefined : (context) => fallback(event, context);
}

function pickHandler(
  handlers: HonoEventHandlers,
  event: HonoEvent,
): ((context: HandlerContext) => Promise<void> | void) | undefined {
  switch (event.type) {
    case 'connection': {
      const handler = handlers.connection;
      return handler === undefined ? undefined : (context) => handler(event, context);
    }
    case 'emptyNotification': {
      const handler = handlers.emptyNotification;
      return handler === undefined ? undefined : (context) => handler(event, context);
    }
    case 'provisioning': {
      const handler = handlers.provisioning;
      return handler === undefined ? undefined : (context) => handler(event, context);
    }
    case 'event':
      return undefined;
  }
}
