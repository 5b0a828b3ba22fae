/**
 * What the engine knows of the records it consumes: how to decode one, which of the application's handlers
 * gets it, and whether it expired. The event consumer routes Hono events, the command response consumer
 * command responses; the engine treats both alike.
 */
import type { HandlerContext, InvalidRecordHandler } from '../consumer/handlers.js';
import type { KafkaRecord } from '../types.js';

/** A decoded record as the engine sees it: its device orders it (`ordering: 'device'`). */
export interface DecodedRecord {
  /** The device the record is about. */
  readonly deviceId: string;
}

/** One call of the application's handler for one record. */
export type HandlerCall = (context: HandlerContext) => Promise<void> | void;

/**
 * The records of one consumer and the application's handlers for them, bound together when `run()` is
 * called.
 *
 * The engine keeps it as a `RecordRoute<DecodedRecord>` and hands each method only what the same route's
 * `decode` returned. (Its methods are declared as methods, so a route of a narrower type fits there.)
 */
export interface RecordRoute<Decoded extends DecodedRecord = DecodedRecord> {
  /**
   * Decodes a record.
   *
   * @param record - the record as the client delivered it
   * @returns the decoded record
   * @throws {@link DecodeError} for a record that is not valid; anything else thrown counts as a malformed record
   */
  decode(record: KafkaRecord): Decoded;
  /**
   * The handler call for a decoded record.
   *
   * @param decoded - what `decode` returned
   * @returns the call, or undefined when no handler takes the record: it is committed unprocessed
   */
  handlerFor(decoded: Decoded): HandlerCall | undefined;
  /**
   * Whether the record's `ttl` has passed.
   *
   * @param decoded - what `decode` returned
   * @param now - the time in ms since the epoch
   * @returns true when `creation-time + ttl` is before `now`
   */
  isExpired(decoded: Decoded, now: number): boolean;
  /**
   * Whether a record is handled at most once: its offset counts as done once it is fetched, and its
   * handler is called once (the `qos0: 'atMostOnce'` policy for `qos` 0 records).
   *
   * @param decoded - what `decode` returned
   * @returns true for at most once; false for at least once
   */
  atMostOnce(decoded: Decoded): boolean;
  /** The handler of records that do not decode, if the application has one. */
  readonly invalid: InvalidRecordHandler | undefined;
}
