/**
 * What the log says about a partition paused for a record that failed for good: which record, why, and
 * what resumes it; then, while it stays paused, a reminder at most every {@link pauseReminderMs} or when
 * the reason changes; and how it ended (resumed, or released uncommitted).
 */
import { DecodeError, type HonoKafkaError } from '../errors.js';
import type { ResolvedOptions } from '../consumer/options.js';
import type { WorkItem } from './work-item.js';

/** While a partition stays paused for the same reason, the log reminds of it at most this often. */
export const pauseReminderMs = 5 * 60_000;

/** One log line: the message and its structured details. */
export interface LogLine {
  readonly message: string;
  readonly context: Record<string, unknown>;
}

type ReportOptions = Pick<ResolvedOptions, 'retry' | 'onFailure' | 'deadLetterTopic'>;

/** Why the record is stuck: its last failure, and the failed dead-letter write if there was one. */
export interface StuckReason {
  /** The handler's (or the decoder's) last error. */
  readonly error: HonoKafkaError;
  /** The last failed dead-letter write (`onFailure: 'deadLetter'`). */
  readonly deadLetterError: HonoKafkaError | undefined;
  /** Whether the handler is tried again (false for a record that does not decode and has no `invalid` handler). */
  readonly retriable: boolean;
  /** Handler attempts made so far. */
  readonly attempts: number;
}

/**
 * The device of a record: the decoded event's, else the record key.
 *
 * @param item - the record
 * @returns the device id, or undefined when the record names none
 */
export function deviceOf(item: WorkItem): string | undefined {
  if (!(item.decoded instanceof DecodeError)) return item.decoded.deviceId;
  const key = item.record.key;
  return key === null || key === undefined ? undefined : key.toString();
}

function where(item: WorkItem): string {
  const device = deviceOf(item);
  return `${item.record.topic}/${item.record.partition} at offset ${item.record.offset} (device ${device ?? 'unknown'})`;
}

function details(item: WorkItem, reason: StuckReason): Record<string, unknown> {
  return {
    topic: item.record.topic,
    partition: item.record.partition,
    offset: item.record.offset,
    deviceId: deviceOf(item),
    code: reason.error.code,
    attempts: reason.attempts,
    ...(reason.deadLetterError === undefined ? {} : { deadLetterCode: reason.deadLetterError.code }),
  };
}

function why(reason: StuckReason): string {
  const failure = `${reason.error.code}: ${reason.error.message}`;
  return reason.deadLetterError === undefined
    ? failure
    : `${failure}; the dead-letter write failed too: ${reason.deadLetterError.code}: ${reason.deadLetterError.message}`;
}

/**
 * What resumes the partition, as the processing really does it (see `giveUp` in `process-record.ts`).
 *
 * @param reason - why the record is stuck
 * @param options - the retry policy, `onFailure` and the dead-letter topic
 * @returns one or two sentences
 */
export function resumeHint(reason: StuckReason, options: ReportOptions): string {
  const every = `every ${options.retry.maxDelayMs / 1000} s (retry.maxDelayMs)`;
  const release =
    'A revoke of the partition or stop() releases it uncommitted: the record is handled again by the partition’s next owner or after a restart.';
  if (options.onFailure === 'deadLetter') {
    const tried = reason.retriable
      ? `The dead-letter write to ${options.deadLetterTopic ?? '?'} and the handler are tried again ${every}; the partition resumes when either succeeds.`
      : `The dead-letter write to ${options.deadLetterTopic ?? '?'} is tried again ${every}; the partition resumes when it succeeds.`;
    return `${tried} Check that the topic exists and that this client may write to it. ${release}`;
  }
  if (!reason.retriable) {
    return `The record does not decode, so it is not tried again: the partition stays paused until it is revoked or the consumer stops, and the record is met again by its next owner or after a restart. Add an 'invalid' handler, or set onFailure 'skip' or 'deadLetter', and restart.`;
  }
  return `The handler is tried again ${every}; the partition resumes when it succeeds. To move on without the record, set onFailure 'skip' or 'deadLetter' and restart. ${release}`;
}

/**
 * The line for a partition that was just paused.
 *
 * @param item - the record
 * @param reason - why it is stuck
 * @param options - for what resumes it
 * @returns the line, for `logger.error`
 */
export function pausedLine(item: WorkItem, reason: StuckReason, options: ReportOptions): LogLine {
  return {
    message: `partition paused: ${where(item)} failed for good: ${why(reason)}. ${resumeHint(reason, options)}`,
    context: details(item, reason),
  };
}

/**
 * The reminder for a partition that is still paused.
 *
 * @param item - the record
 * @param reason - why it is still stuck
 * @param options - for what resumes it
 * @param pausedForMs - how long it has been paused
 * @returns the line, for `logger.warn`
 */
export function stillPausedLine(
  item: WorkItem,
  reason: StuckReason,
  options: ReportOptions,
  pausedForMs: number,
): LogLine {
  const minutes = Math.max(1, Math.round(pausedForMs / 60_000));
  return {
    message: `partition still paused after ${minutes} min and ${reason.attempts} attempts: ${where(item)}: ${why(reason)}. ${resumeHint(reason, options)}`,
    context: details(item, reason),
  };
}

/**
 * The line for a paused partition that fetches again, or that was released with the record uncommitted.
 *
 * @param item - the record
 * @param how - `handled` (the handler succeeded), `deadLettered` (written to the dead-letter topic) or
 *   `released` (revoked, lost or stopping: the record stays uncommitted)
 * @param reason - the last failure
 * @param pausedForMs - how long it was paused
 * @returns the line, for `logger.warn`
 */
export function pauseEndedLine(
  item: WorkItem,
  how: 'handled' | 'deadLettered' | 'released',
  reason: StuckReason,
  pausedForMs: number,
): LogLine {
  const seconds = Math.round(pausedForMs / 1000);
  const message =
    how === 'released'
      ? `paused partition released (revoked, lost or stopping) after ${seconds} s: ${where(item)} stays uncommitted and is handled again by the partition’s next owner or after a restart`
      : `partition resumed after ${seconds} s: ${where(item)} ${how === 'handled' ? `was handled at attempt ${reason.attempts}` : 'was written to the dead-letter topic'}`;
  return { message, context: details(item, reason) };
}
