/**
 * The way of a fetched record: decoded, given its ordering key, queued in the keyed scheduler (one record
 * of a key at a time, up to `concurrency` keys at once), processed (handler, retries, the failure
 * outcome), and completed, which lets its partition's position move past it. A key one of whose records
 * was abandoned runs none of its later records in the same lease, so that the next owner sees them in
 * order.
 */
import type { ResolvedOptions } from '../consumer/options.js';
import { DecodeError, DecodeErrorCode, type HonoKafkaError, StateError } from '../errors.js';
import type { OffsetLedger } from '../offsets/offset-ledger.js';
import type { PartitionOffsets } from '../offsets/partition-offsets.js';
import { AbandonedKeys } from '../processing/abandoned-keys.js';
import { HandlerTimeouts } from '../processing/handler-timeouts.js';
import { handleRecord, type Outcome, type ProcessorContext } from '../processing/process-record.js';
import type { WorkItem } from '../processing/work-item.js';
import { finishesLater, KeyedScheduler, type Run, type Slot } from '../scheduling/keyed-scheduler.js';
import { recordKey } from '../scheduling/ordering.js';
import type { ClientMessage } from './client.js';
import type { Emit } from './emit.js';
import type { PartitionTable } from './partition-table.js';
import type { Pauses } from './pauses.js';
import type { EngineObserver } from './observer.js';
import type { RecordRoute } from './record-route.js';

/** What the record flow needs from the engine around it. */
export interface RecordFlowContext {
  readonly options: ResolvedOptions;
  readonly table: PartitionTable;
  readonly ledger: OffsetLedger;
  readonly pauses: Pauses;
  readonly emit: Emit;
  /** Writes a record to the dead-letter topic; resolves once the broker acknowledged it. */
  deadLetter(item: WorkItem, error: HonoKafkaError, attempts: number): Promise<void>;
}

/** Fetched records on their way to their outcome. */
export class RecordFlow {
  readonly #context: RecordFlowContext;
  /** The records held: queued by key, running, or waiting between tries. */
  readonly records: KeyedScheduler<WorkItem>;
  /** Keys that must not run again in their lease: a record of theirs was abandoned. */
  readonly #abandoned = new AbandonedKeys();
  /** Topics whose records are no Hono records, each logged once. */
  readonly #foreignTopics = new Set<string>();
  #processor: ProcessorContext | undefined;

  constructor(context: RecordFlowContext) {
    this.#context = context;
    this.records = new KeyedScheduler<WorkItem>({
      concurrency: context.options.concurrency,
      run: (item, key, slot, done) => this.#process(item, key, slot, done),
      onUnexpectedError: (error) => {
        this.#unexpected(error);
      },
    });
  }

  /** Starts decoding and handling records with the application's handlers (before anything is fetched). */
  start(route: RecordRoute, observer: EngineObserver): void {
    const { options, emit, pauses } = this.#context;
    this.#processor = {
      route,
      observer,
      options,
      emit,
      pauseForFailure: (item, error) => {
        item.lease.failureStarted();
        pauses.pause([item.lease], 'failure');
        emit('error', error);
      },
      resumeAfterFailure: (item) => {
        // Paused while any record of the partition fails: the last one to succeed resumes it.
        if (item.lease.failureEnded()) pauses.resume([item.lease], 'failure');
      },
      deadLetter: (item, error, attempts) => this.#context.deadLetter(item, error, attempts),
      now: Date.now,
      timeouts: new HandlerTimeouts(options.handlerTimeoutMs),
    };
  }

  /** Takes a fetched record: tracks its offset, decodes it and queues it under its ordering key. */
  accept(message: ClientMessage): void {
    const { table, ledger, options } = this.#context;
    const processor = this.#processor;
    // The engine starts the flow before it connects: nothing is fetched before.
    if (processor === undefined) throw new StateError('a record was fetched before the record flow started');
    const { topic, partition, offset } = message;
    const lease = table.get(topic, partition);
    // Records of partitions being drained or already released are dropped: their next owner reads them.
    if (lease === undefined || lease.halt.aborted) return;
    const before = ledger.get(topic, partition);
    const offsets = ledger.track(topic, partition, offset);
    if (before !== undefined && offsets !== before) this.#rewound(message, before, offsets);
    let decoded: WorkItem['decoded'];
    try {
      decoded = processor.route.decode(message);
    } catch (error) {
      decoded =
        error instanceof DecodeError
          ? error
          : new DecodeError(DecodeErrorCode.MalformedRecord, 'the record could not be decoded', message, {
              cause: error,
            });
    }
    if (decoded instanceof DecodeError && decoded.code === DecodeErrorCode.NotHonoTopic) {
      this.#foreign(decoded, offsets);
      return;
    }
    const deviceId = decoded instanceof DecodeError ? message.key?.toString() : decoded.deviceId;
    const key = recordKey(options.ordering, lease.key, offset, deviceId);
    const atMostOnce = !(decoded instanceof DecodeError) && processor.route.atMostOnce(decoded);
    // At most once: done as far as commits go from now on, whether its handler runs before a crash or not.
    if (atMostOnce) {
      offsets.complete(offset);
      lease.unhandledAtMostOnce += 1;
    }
    this.records.push(key, { record: message, decoded, lease, offsets, atMostOnce });
  }

  /**
   * Handles a record, and calls `done` once it reached its outcome (see {@link handleRecord}: no promise of
   * the SDK's own per record). A record whose key had an earlier record abandoned in the same lease is not
   * handled: it is abandoned too, so that the key's records keep their order for the next owner.
   */
  #process(item: WorkItem, key: string, slot: Slot, done: () => void): Run {
    const processor = this.#processor;
    if (processor === undefined) return undefined;
    if (this.#abandoned.blocks(item.lease, key)) {
      this.#completed(item, key, 'abandoned');
      return undefined;
    }
    handleRecord(item, processor, slot, (outcome) => {
      try {
        this.#completed(item, key, outcome);
      } catch (error) {
        this.#unexpected(error);
      }
      done();
    });
    return finishesLater;
  }

  /** A bug in the record's way to its outcome: logged; the record stays uncommitted. */
  #unexpected(error: unknown): void {
    this.#context.options.logger.error('unexpected error in record processing', { error });
  }

  /**
   * A record reached its outcome: `done` counts for the commit (while its lease is current), `abandoned`
   * blocks its key for the rest of the lease. Runs before the scheduler starts the key's next record.
   */
  #completed(item: WorkItem, key: string, outcome: Outcome): void {
    const { table } = this.#context;
    if (item.atMostOnce) {
      item.lease.unhandledAtMostOnce -= 1;
      return;
    }
    if (outcome === 'abandoned') this.#abandoned.abandon(item.lease, key);
    else if (table.isCurrent(item.lease)) item.offsets.complete(item.record.offset);
  }

  /**
   * A record of a topic that is not a Hono topic of the consumer's kind (a subscription pattern matched a
   * topic that is none): no handler sees it, not even `invalid`. It is committed past, reported as
   * `decodeError`, and logged once per topic.
   */
  #foreign(error: DecodeError, offsets: PartitionOffsets): void {
    const { topic } = error.record;
    offsets.complete(error.record.offset);
    this.#context.emit('decodeError', error);
    if (this.#foreignTopics.has(topic)) return;
    this.#foreignTopics.add(topic);
    this.#context.options.logger.warn(
      `topic ${topic} is not a Hono topic the consumer reads (${error.message}): its records are committed past without a handler`,
      { topic },
    );
  }

  /**
   * The client delivered an offset at or below one it delivered before in the same lease: librdkafka
   * went back after the log was truncated (an unclean leader election; offset out of range, then
   * `auto.offset.reset`) or the topic was deleted and made again under the same name. The records from
   * there on are handled (again); the partition commits nothing until the records fetched before have
   * finished, since their offsets and the new ones cannot be compared.
   */
  #rewound(message: ClientMessage, before: PartitionOffsets, after: PartitionOffsets): void {
    const waiting = after.pending - 1;
    this.#context.options.logger.warn(
      `${message.topic}[${String(message.partition)}] went back from offset ${String(before.lastTracked)} to ${String(message.offset)}: ` +
        'the log was truncated or the topic made again; the records from there on are handled (again)' +
        (waiting > 0
          ? `, and the partition commits nothing until the ${String(waiting)} records fetched before finish`
          : ''),
      { topic: message.topic, partition: message.partition, from: before.lastTracked, to: message.offset },
    );
  }
}
