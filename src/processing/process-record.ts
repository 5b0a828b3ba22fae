/**
 * One record's way through the SDK: expiry, the handler (with a timeout), retries with backoff, and the
 * outcome after the last attempt. Resolves `done` when the record may be committed past, `abandoned`
 * when it must not be (its partition was revoked or the consumer stopped first).
 */
import {
  DecodeError,
  HandlerError,
  HandlerErrorCode,
  type HonoKafkaError,
  isHonoKafkaError,
  KafkaClientError,
  KafkaClientErrorCode,
  thrownMessage,
} from '../errors.js';
import type { HandlerContext } from '../consumer/handlers.js';
import type { ResolvedOptions } from '../consumer/options.js';
import { retryDelay, sleep } from '../retry/backoff.js';
import type { EngineEvents } from '../engine/emit.js';
import type { EngineObserver, HandlerObservation } from '../engine/observer.js';
import type { RecordRoute } from '../engine/record-route.js';
import type { HandlerTimeouts, RunningCall } from './handler-timeouts.js';
import type { WorkItem } from './work-item.js';
import type { Slot } from '../scheduling/keyed-scheduler.js';
import {
  type LogLine,
  pauseEndedLine,
  pausedLine,
  pauseReminderMs,
  type StuckReason,
  stillPausedLine,
} from './pause-report.js';

/** Whether a record may be committed past: `abandoned` when its lease ended first. */
export type Outcome = 'done' | 'abandoned';

type Emit = <Name extends keyof EngineEvents>(name: Name, ...args: Parameters<EngineEvents[Name]>) => void;

/** What the processor needs from the consumer. */
export interface ProcessorContext {
  /** How records decode and which handler each goes to. */
  readonly route: RecordRoute;
  /** Who watches the handler calls (tracing, metrics, diagnostics channels). */
  readonly observer: EngineObserver;
  readonly options: Pick<
    ResolvedOptions,
    'retry' | 'handlerTimeoutMs' | 'onFailure' | 'deadLetterTopic' | 'expired' | 'logger'
  >;
  readonly emit: Emit;
  /** Pauses the item's partition after its record failed for good (`onFailure: 'pause'`). */
  readonly pauseForFailure: (item: WorkItem, error: HonoKafkaError) => void;
  /** Resumes the item's partition once its failed record finally succeeded. */
  readonly resumeAfterFailure: (item: WorkItem) => void;
  /** Writes the record to the dead-letter topic and resolves once the broker acknowledged it. */
  readonly deadLetter: (item: WorkItem, error: HonoKafkaError, attempts: number) => Promise<void>;
  readonly now: () => number;
  /** The time limit of running handler calls. */
  readonly timeouts: HandlerTimeouts;
}

type Call = (context: HandlerContext) => Promise<void> | void;

/** The result of a handler call: undefined on success, the failure otherwise. */
type Attempt = HandlerError | undefined;

/**
 * What {@link attemptOnce} returns while an asynchronous handler call runs: its `settle` callback is
 * called when the call ends.
 */
const stillRunning: unique symbol = Symbol('still running');

/**
 * Processes one record to its outcome and calls `finished` with it: synchronously when the record was
 * done at once, else when its handler call (and any retries and failure outcome) ended. A handler that
 * completes at once (synchronously, or with a promise that resolves) takes no retry machinery, and no
 * promise of the SDK's own: the outcome follows from the handler's promise through callbacks. Only a
 * failure enters the slow path.
 *
 * @param item - the record
 * @param context - the consumer's side
 * @param slot - the record's concurrency slot, given back while it waits for a retry or is paused for
 *   failure (without one, the record holds its caller's slot throughout)
 * @param finished - told the outcome once: `done` when the record may be committed past, `abandoned`
 *   when not. It must not throw.
 */
export function handleRecord(
  item: WorkItem,
  context: ProcessorContext,
  slot: Slot | undefined,
  finished: (outcome: Outcome) => void,
): void {
  const { decoded, record } = item;
  if (decoded instanceof DecodeError) {
    tell(context, 'decodeError', decoded);
    const invalid = context.route.invalid;
    if (invalid === undefined) {
      whenReached(giveUp(item, context, slot, decoded, 1, { retriable: false }), context, finished);
      return;
    }
    attemptFirst(item, context, slot, (handlerContext) => invalid(decoded, record, handlerContext), finished);
    return;
  }
  if (context.options.expired === 'skip' && context.route.isExpired(decoded, context.now())) {
    tell(context, 'expired', decoded);
    finished('done');
    return;
  }
  const call = context.route.handlerFor(decoded);
  if (call === undefined) finished('done');
  else attemptFirst(item, context, slot, call, finished);
}

/**
 * The first attempt of a record's handler, and what its failure leads to. A record handled at most once
 * gets this one attempt: its failure is reported (`handlerError`, then `skipped`) and not retried (its
 * offset was completed when it was fetched). Any other record is retried with backoff, then gets its
 * failure outcome.
 */
function attemptFirst(
  item: WorkItem,
  context: ProcessorContext,
  slot: Slot | undefined,
  call: Call,
  finished: (outcome: Outcome) => void,
): void {
  if (ended(item)) {
    finished('abandoned');
    return;
  }
  const settle = (error: Attempt): void => {
    if (error === undefined) finished('done');
    else if (item.atMostOnce) {
      tell(context, 'handlerError', error);
      tell(context, 'skipped', { ...coordinates(item), error });
      finished('done');
    } else whenReached(retryAfter(item, context, slot, call, error, 1), context, finished);
  };
  const first = attemptOnce(item, context, call, 1, settle);
  if (first !== stillRunning) settle(first);
}

/** Attempt `attempt` failed with `error`: retry with backoff, then apply the failure outcome. */
async function retryAfter(
  item: WorkItem,
  context: ProcessorContext,
  slot: Slot | undefined,
  call: Call,
  error: HandlerError,
  attempt: number,
): Promise<Outcome> {
  const { retry } = context.options;
  for (;;) {
    tell(context, 'handlerError', error);
    // The drain time of a revoke or stop() is over: the record is left to its next owner, with no
    // outcome applied and no retry announced. A record that is merely draining keeps its retries, so
    // that a clean rebalance does not leave it (and everything after it) to be handled again.
    if (ended(item)) return 'abandoned';
    if (attempt >= retry.maxAttempts) {
      return giveUp(item, context, slot, error, attempt, { retriable: true });
    }
    const delayMs = retryDelay(retry, attempt);
    tell(context, 'retrying', { ...coordinates(item), attempt, delayMs, error });
    await idle(slot, sleep(delayMs, item.lease.abort));
    attempt += 1;
    if (ended(item)) return 'abandoned';
    const next = await attemptOnceLater(item, context, call, attempt);
    if (next === undefined) return 'done';
    error = next;
  }
}

/**
 * The last attempt failed: apply `onFailure`. `skip` and a successful dead-letter write commit past the
 * record. Otherwise (`pause`, or a dead-letter write that failed) the partition is paused and the record
 * is tried again at the longest retry delay until it succeeds or the consumer stops: nothing is skipped.
 * A record that failed to decode and has no `invalid` handler cannot succeed later, so it waits for `stop()`.
 * The log says which record paused its partition, why and what resumes it; then, while it stays paused,
 * at most one reminder per {@link pauseReminderMs} or when the reason changes; and how the pause ended.
 */
async function giveUp(
  item: WorkItem,
  context: ProcessorContext,
  slot: Slot | undefined,
  firstError: HonoKafkaError,
  attempts: number,
  { retriable }: { retriable: boolean },
): Promise<Outcome> {
  const { logger } = context.options;
  let reason: StuckReason = { error: firstError, deadLetterError: undefined, retriable, attempts };
  let pausedAt: number | undefined;
  let reported = { at: 0, key: '' };
  const keyOf = (stuck: StuckReason): string => `${stuck.error.code}|${stuck.deadLetterError?.code ?? ''}`;
  const endPause = (how: 'handled' | 'deadLettered' | 'released'): void => {
    if (pausedAt === undefined) return;
    log(logger, 'warn', pauseEndedLine(item, how, reason, context.now() - pausedAt));
  };
  for (;;) {
    const past = await commitPast(item, context, reason.error, reason.attempts);
    if (past === true) {
      if (pausedAt !== undefined) context.resumeAfterFailure(item);
      endPause(context.options.onFailure === 'deadLetter' ? 'deadLettered' : 'handled');
      return 'done';
    }
    reason = { ...reason, deadLetterError: past === false ? undefined : past };
    const now = context.now();
    if (pausedAt === undefined) {
      pausedAt = now;
      context.pauseForFailure(item, reason.error);
      log(logger, 'error', pausedLine(item, reason, context.options));
      reported = { at: now, key: keyOf(reason) };
    } else if (now - reported.at >= pauseReminderMs || keyOf(reason) !== reported.key) {
      log(logger, 'warn', stillPausedLine(item, reason, context.options, now - pausedAt));
      reported = { at: now, key: keyOf(reason) };
    }
    if (!retriable && context.options.onFailure === 'pause') {
      await idle(slot, stopped(item.lease.halt));
      endPause('released');
      return 'abandoned';
    }
    await idle(slot, sleep(context.options.retry.maxDelayMs, item.lease.halt));
    if (halted(item)) {
      endPause('released');
      return 'abandoned';
    }
    if (retriable) {
      const attempt = reason.attempts + 1;
      const retryError = await attemptOnceLater(item, context, callOf(item, context), attempt);
      reason = { ...reason, attempts: attempt };
      if (retryError === undefined) {
        context.resumeAfterFailure(item);
        endPause('handled');
        return 'done';
      }
      tell(context, 'handlerError', retryError);
      reason = { ...reason, error: retryError };
      if (halted(item)) {
        endPause('released');
        return 'abandoned';
      }
    }
  }
}

/**
 * `skip` or `deadLetter`: whether the record may be committed past now (`true`), or not (`false`, or the
 * error of the dead-letter write that failed, which is emitted as `error`).
 */
async function commitPast(
  item: WorkItem,
  context: ProcessorContext,
  error: HonoKafkaError,
  attempts: number,
): Promise<boolean | HonoKafkaError> {
  const { onFailure, deadLetterTopic } = context.options;
  if (onFailure === 'skip') {
    tell(context, 'skipped', { ...coordinates(item), error });
    return true;
  }
  if (onFailure === 'deadLetter' && deadLetterTopic !== undefined) {
    try {
      await context.deadLetter(item, error, attempts);
      tell(context, 'deadLettered', { ...coordinates(item), error, deadLetterTopic });
      return true;
    } catch (failure) {
      // Whatever the write threw, it is reported as an SDK error.
      const deadLetterError = isHonoKafkaError(failure)
        ? failure
        : new KafkaClientError(
            KafkaClientErrorCode.Client,
            `the dead-letter write failed: ${thrownMessage(failure)}`,
            { cause: failure, retriable: true },
          );
      // Logged with the pause that follows (and its reminders), not once per try.
      tell(context, 'error', deadLetterError);
      return deadLetterError;
    }
  }
  return false;
}

function callOf(item: WorkItem, context: ProcessorContext): Call {
  const { decoded, record } = item;
  if (decoded instanceof DecodeError) {
    const invalid = context.route.invalid;
    return (handlerContext) => invalid?.(decoded, record, handlerContext);
  }
  return context.route.handlerFor(decoded) ?? (() => undefined);
}

/**
 * Waits without holding a concurrency slot: a record waiting for its retry delay or paused for failure
 * lets other keys run meanwhile (it keeps its key), and takes a slot again before its next attempt.
 */
function idle<R>(slot: Slot | undefined, wait: Promise<R>): Promise<R> {
  return slot === undefined ? wait : slot.idle(wait);
}

async function stopped(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return;
  await new Promise<void>((resolve) => {
    signal.addEventListener(
      'abort',
      () => {
        resolve();
      },
      { once: true },
    );
  });
}

/**
 * Tells `finished` the outcome of a slow path. Should the path fail unexpectedly (a bug), the record is
 * abandoned: it is not committed past, and its device's later records wait for the next owner.
 */
function whenReached(
  outcome: Promise<Outcome>,
  context: ProcessorContext,
  finished: (outcome: Outcome) => void,
): void {
  outcome.then(finished, (error: unknown) => {
    log(context.options.logger, 'error', {
      message: 'unexpected error in record processing',
      context: { error },
    });
    finished('abandoned');
  });
}

/** {@link attemptOnce} as a promise, for the slow paths (retries, the failure outcome). */
function attemptOnceLater(
  item: WorkItem,
  context: ProcessorContext,
  call: Call,
  attempt: number,
): Promise<Attempt> {
  return new Promise((resolve) => {
    const result = attemptOnce(item, context, call, attempt, resolve);
    if (result !== stillRunning) resolve(result);
  });
}

/**
 * One handler call, bounded by the handler timeout, inside its observation (if anything watches): its
 * result (undefined on success, the failure otherwise), or {@link stillRunning} while an asynchronous
 * handler runs, whose result then goes to `settle`.
 *
 * A call still running at `handlerTimeoutMs` has failed (timed out), and its `signal` aborts. The SDK
 * cannot end it, though: `settle` is called only once the call settled, so the retry, the key's next
 * record and any commit past the record wait for it, and two calls of one key never overlap. A call
 * still running after a second `handlerTimeoutMs` is reported once as `error` and logged; it keeps its
 * key until it settles (a revoke or `stop()` gives up waiting after `drainTimeoutMs`: the record is then
 * abandoned, and its key blocked for the rest of the assignment).
 */
function attemptOnce(
  item: WorkItem,
  context: ProcessorContext,
  call: Call,
  attempt: number,
  settle: (error: Attempt) => void,
): Attempt | typeof stillRunning {
  const observation = context.observer.handlerStarted(item, attempt);
  const handlerContext = new AttemptContext(item, attempt);
  let pending: Promise<void> | void;
  try {
    pending = observation === undefined ? call(handlerContext) : observation.run(() => call(handlerContext));
  } catch (error) {
    return failedAtOnce(item, attempt, handlerContext, observation, error);
  }
  // Synchronous handlers finish here, without a promise or a clock.
  let then: unknown;
  try {
    then = pending === undefined ? undefined : (pending as { then?: unknown }).then;
  } catch (error) {
    // A returned value whose `then` cannot be read (a hostile Proxy) is a failed call.
    return failedAtOnce(item, attempt, handlerContext, observation, error);
  }
  if (typeof then !== 'function') {
    handlerContext.release();
    observation?.end(undefined);
    return undefined;
  }
  let settled = false;
  let timedOut: HandlerError | undefined;
  let late: RunningCall | undefined;
  const { timeouts } = context;
  const running = timeouts.start(() => {
    const { handlerTimeoutMs } = context.options;
    timedOut = HandlerError.timedOut(item.record, attempt, handlerTimeoutMs);
    handlerContext.abort(timedOut);
    late = timeouts.late.start(() => {
      reportLate(item, context, attempt, 2 * handlerTimeoutMs);
    });
  });
  const finish = (error: Attempt): void => {
    if (settled) return;
    settled = true;
    timeouts.end(running);
    if (late !== undefined) timeouts.late.end(late);
    handlerContext.release();
    // A call that timed out failed, however it ended.
    const result = timedOut ?? error;
    observation?.end(result);
    settle(result);
  };
  try {
    (then as PromiseLike<void>['then']).call(
      pending as PromiseLike<void>,
      () => {
        finish(undefined);
      },
      (error: unknown) => {
        finish(HandlerError.failed(item.record, attempt, error));
      },
    );
  } catch (error) {
    finish(HandlerError.failed(item.record, attempt, error));
  }
  return stillRunning;
}

/** A handler call that failed before it returned a promise. */
function failedAtOnce(
  item: WorkItem,
  attempt: number,
  handlerContext: AttemptContext,
  observation: HandlerObservation | undefined,
  error: unknown,
): HandlerError {
  handlerContext.release();
  const failure = HandlerError.failed(item.record, attempt, error);
  observation?.end(failure);
  return failure;
}

/**
 * A timed-out call still runs a second `handlerTimeoutMs` later: its handler ignores its `signal`. Emitted
 * as `error` and logged once per call; the record's key keeps waiting for the call.
 */
function reportLate(item: WorkItem, context: ProcessorContext, attempt: number, runningMs: number): void {
  const { record } = item;
  const error = new HandlerError(
    HandlerErrorCode.TimedOut,
    `handler still running ${runningMs} ms after it started on ${record.topic}/${record.partition}@${record.offset} (attempt ${attempt}), although its signal aborted at handlerTimeoutMs: the record's device (or partition) handles nothing else, and nothing is committed past the record, until the call settles`,
    record,
    attempt,
  );
  tell(context, 'error', error);
  log(context.options.logger, 'error', {
    message: error.message,
    context: { ...coordinates(item), attempt },
  });
}

/**
 * What a handler call gets. Its `signal` is made only when the handler asks for it: most handlers never
 * do, and then a call costs no `AbortController` and no listener on the partition's lease.
 */
class AttemptContext implements HandlerContext {
  readonly attempt: number;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly #lease: AbortSignal;
  #controller: AbortController | undefined;
  #onLeaseAbort: (() => void) | undefined;
  /** Why the call was aborted before the handler first asked for its signal (a timeout). */
  #abortedFor: { readonly reason: unknown } | undefined;

  constructor(item: WorkItem, attempt: number) {
    this.attempt = attempt;
    this.topic = item.record.topic;
    this.partition = item.record.partition;
    this.offset = item.record.offset;
    this.#lease = item.lease.abort;
  }

  get signal(): AbortSignal {
    return this.#signalController().signal;
  }

  /**
   * Aborts the handler's signal. When the handler has not asked for it yet, the signal it gets later is
   * aborted already: a handler that checks its signal only at the end still sees the timeout.
   */
  abort(reason: unknown): void {
    this.#abortedFor ??= { reason };
    this.#controller?.abort(reason);
  }

  /** The call is over: stop following the lease. */
  release(): void {
    if (this.#onLeaseAbort !== undefined) this.#lease.removeEventListener('abort', this.#onLeaseAbort);
    this.#onLeaseAbort = undefined;
  }

  #signalController(): AbortController {
    if (this.#controller !== undefined) return this.#controller;
    const controller = new AbortController();
    this.#controller = controller;
    const lease = this.#lease;
    if (this.#abortedFor !== undefined) controller.abort(this.#abortedFor.reason);
    else if (lease.aborted) controller.abort(lease.reason);
    else {
      this.#onLeaseAbort = () => {
        controller.abort(lease.reason);
      };
      lease.addEventListener('abort', this.#onLeaseAbort, { once: true });
    }
    return controller;
  }
}

/**
 * Whether the item's partition is draining or gone. A record that failed for good waits no longer:
 * its partition is released at once (read fresh: it changes while handlers await).
 */
function halted(item: WorkItem): boolean {
  return item.lease.halt.aborted;
}

/** Whether the drain time of the item's partition is over, or the partition was lost. */
function ended(item: WorkItem): boolean {
  return item.lease.abort.aborted;
}

/**
 * Emits an event. The consumer's `emit` catches what listeners throw and logs it; should that fail too
 * (a logger that throws on the value), the record still reaches its outcome.
 */
function tell<Name extends keyof EngineEvents>(
  context: ProcessorContext,
  name: Name,
  ...args: Parameters<EngineEvents[Name]>
): void {
  try {
    context.emit(name, ...args);
  } catch {
    // Nowhere left to report it: the record's outcome matters more.
  }
}

/** Logs a line; a logger that throws never keeps a record from its outcome. */
function log(logger: ProcessorContext['options']['logger'], level: 'warn' | 'error', line: LogLine): void {
  try {
    logger[level](line.message, line.context);
  } catch {
    // As in tell().
  }
}

function coordinates(item: WorkItem): { topic: string; partition: number; offset: number } {
  return { topic: item.record.topic, partition: item.record.partition, offset: item.record.offset };
}
