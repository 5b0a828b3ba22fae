/**
 * Subscribed topics that do not exist (yet): a new Hono tenant before its first event. librdkafka reports
 * a missing subscribed topic as a consume error without its name (`UNKNOWN_TOPIC_OR_PART`), once; the
 * watch names it from a metadata request, in one warning until its partitions arrive. It also remembers
 * the topics that appeared after the start: with `startFrom: 'latest'` ("the records written after the
 * start"), their partitions start at their beginning where the group committed nothing, so that the first
 * records of a new tenant are not skipped. With a pattern subscription (`tenant: '*'`) no topic is
 * missing; the topics that did not exist at the start are the ones created since.
 */
import type { TopicPartition, TopicPartitionOffset } from '../types.js';
import type { Logger, ResolvedOptions } from '../consumer/options.js';

/** A partition's committed position (`undefined`: none). */
export interface CommittedPosition extends TopicPartition {
  readonly offset: number | undefined;
}

/** What the watch needs from the client. */
export interface TopicSource {
  /** The cluster's topic names, or undefined when no broker answered in time. */
  topicNames(timeoutMs: number): Promise<Set<string> | undefined>;
  /** The group's committed positions, or undefined when the broker did not answer in time. */
  committed(
    partitions: readonly TopicPartition[],
    timeoutMs: number,
  ): Promise<CommittedPosition[] | undefined>;
}

/** How long the metadata request that names missing topics may take. */
const topicCheckTimeoutMs = 5_000;
/** How long reading committed positions may take. */
const committedTimeoutMs = 10_000;

/** The consumer options the watch reads. */
export type TopicWatchOptions = Pick<
  ResolvedOptions,
  'topics' | 'startFrom' | 'groupProtocol' | 'connectTimeoutMs'
> & { readonly logger: Logger };

/** Tracks the subscribed topics that do not exist, and those that appeared after the start. */
export class TopicWatch {
  readonly #options: TopicWatchOptions;
  readonly #refreshMs: number;
  readonly #beginning: number;
  /** Topics that do not exist now, each named in one warning until its partitions are assigned. */
  readonly #missing = new Set<string>();
  /** Topics seen missing since the start. */
  readonly #late = new Set<string>();
  /** The subscribed topic names; the patterns (starting with `^`) are left out. */
  readonly #names: readonly string[];
  /** The patterns subscribed to. */
  readonly #patterns: readonly RegExp[];
  /**
   * With patterns: the topics that existed at the start (undefined: unknown, when no broker answered
   * then; every matching topic then counts as created since).
   */
  #initial: Set<string> | undefined;
  #started = false;
  #checking: Promise<void> | undefined;

  /**
   * @param options - the consumer's topics, `startFrom`, group protocol, connect timeout and logger
   * @param refreshMs - librdkafka's `topic.metadata.refresh.interval.ms` in force, for the warning
   * @param beginning - the client's logical offset for "the partition's beginning"
   */
  constructor(options: TopicWatchOptions, refreshMs: number, beginning: number) {
    this.#options = options;
    this.#refreshMs = refreshMs;
    this.#beginning = beginning;
    this.#names = options.topics.filter((topic) => !topic.startsWith('^'));
    this.#patterns = options.topics
      .filter((topic) => topic.startsWith('^'))
      .map((topic) => new RegExp(topic));
  }

  /**
   * Asks the cluster which subscribed topics do not exist, warns about each new one and remembers it.
   * Concurrent calls share one request.
   *
   * @param source - the client
   * @param reported - true when the client reported a missing topic: if the metadata request fails, the
   *   only subscribed topic is the one (with several, the warning lists them all); at the start, a
   *   failed request marks nothing
   */
  check(source: TopicSource, reported: boolean): Promise<void> {
    this.#checking ??= this.#check(source, reported).finally(() => {
      this.#checking = undefined;
    });
    return this.#checking;
  }

  async #check(source: TopicSource, reported: boolean): Promise<void> {
    const { logger, connectTimeoutMs } = this.#options;
    const topics = this.#names;
    const existing = await source.topicNames(Math.min(connectTimeoutMs, topicCheckTimeoutMs));
    if (!this.#started) {
      this.#started = true;
      this.#initial = existing;
    }
    if (topics.length === 0) return;
    if (existing === undefined && (!reported || topics.length > 1)) {
      if (reported) {
        logger.warn(
          `a subscribed topic does not exist (yet) (one of ${topics.join(', ')}; no broker answered the metadata request that would name it): the consumer waits for it`,
          { topics },
        );
      }
      return;
    }
    for (const topic of topics) {
      if (existing?.has(topic) === true) continue;
      this.#late.add(topic);
      if (this.#missing.has(topic)) continue;
      this.#missing.add(topic);
      logger.warn(`topic ${topic} does not exist (yet): the consumer waits for it and ${this.#pickUp()}`, {
        topic,
      });
    }
  }

  /** How soon a topic created later is read, for the warning. */
  #pickUp(): string {
    const { groupProtocol, startFrom } = this.#options;
    const from =
      startFrom === 'latest' ? ', from its first record (startFrom "latest" means after the start)' : '';
    if (groupProtocol === 'consumer') return `reads it once the broker assigns it${from}`;
    return `reads it within about ${Math.round(this.#refreshMs / 1000)} s of its creation (kafka 'topic.metadata.refresh.interval.ms')${from}`;
  }

  /**
   * Partitions were assigned: their topics exist now.
   *
   * @param partitions - the assigned partitions
   */
  assigned(partitions: readonly TopicPartition[]): void {
    for (const topic of new Set(partitions.map((partition) => partition.topic))) {
      if (this.#missing.delete(topic)) {
        this.#options.logger.info(`topic ${topic} exists now: its partitions are assigned`, { topic });
      }
    }
  }

  /**
   * The assigned partitions whose start position needs the group's committed positions: with
   * `startFrom: 'latest'`, those of topics that appeared after the start.
   *
   * @param partitions - newly assigned partitions
   * @returns those partitions, or none
   */
  late(partitions: readonly TopicPartition[]): TopicPartition[] {
    if (this.#options.startFrom !== 'latest') return [];
    return partitions.filter(({ topic }) => this.#late.has(topic) || this.#createdSince(topic));
  }

  /** Whether a topic the patterns match did not exist at the start. */
  #createdSince(topic: string): boolean {
    if (this.#names.includes(topic) || !this.#patterns.some((pattern) => pattern.test(topic))) return false;
    return this.#initial?.has(topic) !== true;
  }

  /**
   * The start positions of newly assigned partitions: a partition of {@link TopicWatch.late} without a
   * committed position starts at its beginning (also when the committed positions cannot be read: at
   * least once, rather than skip); every other one where the group committed, or at `startFrom`.
   *
   * @param source - the client
   * @param partitions - newly assigned partitions
   * @param late - those of them of topics that appeared after the start
   * @returns the partitions, those that start at their beginning with that offset
   */
  async positions(
    source: TopicSource,
    partitions: readonly TopicPartition[],
    late: readonly TopicPartition[],
  ): Promise<(TopicPartition | TopicPartitionOffset)[]> {
    const committed = await source.committed(late, committedTimeoutMs);
    const key = ({ topic, partition }: TopicPartition): string => `${topic}\u0000${partition}`;
    const fromStart = new Set(
      (committed ?? late.map((partition) => ({ ...partition, offset: undefined })))
        .filter(({ offset }) => offset === undefined)
        .map(key),
    );
    if (committed === undefined) {
      this.#options.logger.warn(
        `the group's committed positions of ${[...new Set(late.map(({ topic }) => topic))].join(', ')} could not be read: reading them from their beginning (records already handled are handled again)`,
        { partitions: late },
      );
    }
    return partitions.map((partition) =>
      fromStart.has(key(partition)) ? { ...partition, offset: this.#beginning } : partition,
    );
  }
}
