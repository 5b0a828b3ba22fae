/**
 * The metrics of a consumer: records consumed per poll, handler durations, commit durations and
 * failures, records by outcome, and gauges of its health (in flight, paused partitions, lag).
 *
 * A handler call costs one measurement in the SDK: its duration in `messaging.process.duration`. Its
 * outcome (`handled`, `failed`) is counted here and added to `hono.consumer.records` once per poll and
 * at each metric collection, with each attribute set made once per topic: the SDK hashes the attribute
 * set of every measurement, which would otherwise be the larger part of the metrics' cost per record.
 */
import type {
  Attributes,
  BatchObservableCallback,
  Counter,
  Histogram,
  Meter,
  ObservableGauge,
} from '@opentelemetry/api';
import type { HonoKafkaError } from '../errors.js';
import type { ClientMessage } from '../engine/client.js';
import type { ConsumerObserverConfig } from './config.js';
import type { OpenTelemetryApi } from './otel-api.js';
import { MeterSource } from './otel-providers.js';
import { durationBuckets, HonoAttribute, MessagingAttribute, MetricName, RecordOutcome } from './semconv.js';

/** The instruments of one meter. */
interface Instruments {
  readonly meter: Meter;
  readonly consumed: Counter;
  readonly processDuration: Histogram;
  readonly operationDuration: Histogram;
  readonly records: Counter;
  readonly commitFailures: Counter;
  readonly gauges: readonly ObservableGauge[];
  readonly observe: BatchObservableCallback;
}

/** The attribute sets of one topic's measurements, each made once. */
interface TopicAttributes {
  /** E.g. `hono.event.{tenant_id}`; '' when the topic is unknown. */
  readonly template: string;
  readonly consumed: Attributes;
  readonly process: Attributes;
  /** `messaging.process.duration` of a failed call, by `error.type`. */
  readonly failedProcess: Map<string, Attributes>;
  /** `hono.consumer.records`, by outcome. */
  readonly outcomes: Map<RecordOutcome, Attributes>;
}

/** The metrics side of a consumer's OpenTelemetry observer. */
export class ConsumerMetrics {
  readonly #config: ConsumerObserverConfig;
  readonly #template: (topic: string) => string;
  readonly #group: Attributes;
  readonly #source: MeterSource<Instruments>;
  /** By topic ('' for a record whose topic is unknown). */
  readonly #topics = new Map<string, TopicAttributes>();
  /** Records counted by outcome and not yet added to `hono.consumer.records`, by attribute set. */
  readonly #pending = new Map<Attributes, number>();
  /** The instruments, or undefined while the meter is the no-op one. */
  #instruments: Instruments | undefined;

  /**
   * @param api - `@opentelemetry/api`
   * @param config - the consumer's side (its telemetry option is not `false`)
   * @param template - the destination template of a topic (cached by the caller)
   */
  constructor(api: OpenTelemetryApi, config: ConsumerObserverConfig, template: (topic: string) => string) {
    this.#config = config;
    this.#template = template;
    this.#group = {
      [MessagingAttribute.System]: 'kafka',
      [MessagingAttribute.ConsumerGroupName]: config.groupId,
    };
    const given = config.telemetry === false ? undefined : config.telemetry.meterProvider;
    this.#source = new MeterSource(
      api,
      given,
      (meter) => this.#instrumentsOf(api, meter),
      (instruments) => {
        this.#flush(instruments.records);
        instruments.meter.removeBatchObservableCallback(instruments.observe, [...instruments.gauges]);
      },
    );
    this.refresh();
  }

  /** Whether metrics are recorded now. */
  get active(): boolean {
    return this.#instruments !== undefined;
  }

  /** Looks for the meter provider again: a global SDK registered after the consumer started is picked up. */
  refresh(): void {
    this.#instruments = this.#source.current();
  }

  /**
   * A poll delivered records: counts them, and adds the outcomes counted since the last poll.
   *
   * @param messages - the records
   */
  fetched(messages: readonly ClientMessage[]): void {
    const instruments = this.#instruments;
    if (instruments === undefined) return;
    this.#flush(instruments.records);
    let topic: string | undefined;
    let count = 0;
    for (const message of messages) {
      if (message.topic !== topic) {
        if (topic !== undefined) instruments.consumed.add(count, this.#topic(topic).consumed);
        topic = message.topic;
        count = 0;
      }
      count += 1;
    }
    if (topic !== undefined) instruments.consumed.add(count, this.#topic(topic).consumed);
  }

  /**
   * A handler call ended.
   *
   * @param topic - the record's topic
   * @param seconds - how long the call took
   * @param error - why it failed; undefined when it succeeded
   */
  handlerEnded(topic: string, seconds: number, error: HonoKafkaError | undefined): void {
    const instruments = this.#instruments;
    if (instruments === undefined) return;
    const attributes = this.#topic(topic);
    if (error === undefined) {
      instruments.processDuration.record(seconds, attributes.process);
      this.#count(attributes, RecordOutcome.Handled);
      return;
    }
    let failed = attributes.failedProcess.get(error.code);
    if (failed === undefined) {
      failed = { ...attributes.process, [MessagingAttribute.ErrorType]: error.code };
      attributes.failedProcess.set(error.code, failed);
    }
    instruments.processDuration.record(seconds, failed);
    this.#count(attributes, RecordOutcome.Failed);
  }

  /**
   * Counts a record's outcome.
   *
   * @param topic - the record's topic, if known
   * @param outcome - what became of it
   */
  outcome(topic: string | undefined, outcome: RecordOutcome): void {
    if (this.#instruments === undefined) return;
    this.#count(this.#topic(topic ?? ''), outcome);
  }

  /**
   * A commit was answered (or timed out).
   *
   * @param durationMs - from the request to the answer
   * @param error - why it failed; undefined when the broker confirmed it
   */
  committed(durationMs: number, error: HonoKafkaError | undefined): void {
    const instruments = this.#instruments;
    if (instruments === undefined) return;
    const attributes: Attributes = {
      ...this.#group,
      [MessagingAttribute.OperationName]: 'commit',
      [MessagingAttribute.OperationType]: 'settle',
    };
    if (error !== undefined) attributes[MessagingAttribute.ErrorType] = error.code;
    instruments.operationDuration.record(durationMs / 1000, attributes);
    if (error !== undefined) instruments.commitFailures.add(1, attributes);
  }

  /** Adds what is still counted, and removes the gauges' callback: the consumer stopped. */
  close(): void {
    this.#source.close();
    this.#instruments = undefined;
  }

  #count(attributes: TopicAttributes, outcome: RecordOutcome): void {
    let counted = attributes.outcomes.get(outcome);
    if (counted === undefined) {
      counted = {
        ...this.#group,
        ...(attributes.template === ''
          ? {}
          : { [MessagingAttribute.DestinationTemplate]: attributes.template }),
        [HonoAttribute.Outcome]: outcome,
      };
      attributes.outcomes.set(outcome, counted);
    }
    this.#pending.set(counted, (this.#pending.get(counted) ?? 0) + 1);
  }

  /** Adds the outcomes counted so far to `hono.consumer.records`. */
  #flush(records: Counter): void {
    if (this.#pending.size === 0) return;
    for (const [attributes, count] of this.#pending) records.add(count, attributes);
    this.#pending.clear();
  }

  /** The attribute sets of a topic's measurements. */
  #topic(topic: string): TopicAttributes {
    let found = this.#topics.get(topic);
    if (found === undefined) {
      const template = topic === '' ? '' : this.#template(topic);
      const destination = template === '' ? {} : { [MessagingAttribute.DestinationTemplate]: template };
      found = {
        template,
        consumed: {
          ...this.#group,
          [MessagingAttribute.OperationName]: 'poll',
          [MessagingAttribute.OperationType]: 'receive',
          ...destination,
        },
        process: {
          ...this.#group,
          [MessagingAttribute.OperationName]: 'process',
          [MessagingAttribute.OperationType]: 'process',
          ...destination,
        },
        failedProcess: new Map(),
        outcomes: new Map(),
      };
      this.#topics.set(topic, found);
    }
    return found;
  }

  #instrumentsOf(api: OpenTelemetryApi, meter: Meter): Instruments {
    const { ValueType } = api;
    const advice = { explicitBucketBoundaries: [...durationBuckets] };
    const inFlight = meter.createObservableGauge(MetricName.InFlight, {
      description: 'Records being handled now, retries and the waits between them included.',
      unit: '{message}',
      valueType: ValueType.INT,
    });
    const pausedPartitions = meter.createObservableGauge(MetricName.PausedPartitions, {
      description: 'Owned partitions whose fetching is paused (backlog, back-pressure, failure, stopping).',
      unit: '{partition}',
      valueType: ValueType.INT,
    });
    const lag = meter.createObservableGauge(MetricName.Lag, {
      description: "Records between a partition's committable position and its end, per owned partition.",
      unit: '{message}',
      valueType: ValueType.INT,
    });
    const records = meter.createCounter(MetricName.Records, {
      description: 'Records by outcome: handled, failed, retried, skipped, dead_lettered, expired.',
      unit: '{message}',
      valueType: ValueType.INT,
    });
    const observe: BatchObservableCallback = (result) => {
      try {
        // A collection sees the outcomes counted since the last poll too (the SDK runs the callbacks
        // before it collects the counters; a later version that does not sees them at the next one).
        this.#flush(records);
        const health = this.#config.health();
        result.observe(inFlight, health.inFlight, this.#group);
        let paused = 0;
        for (const partition of health.partitions) {
          if (partition.pausedFor.length > 0) paused += 1;
          if (partition.lag === undefined) continue;
          result.observe(lag, partition.lag, {
            ...this.#group,
            [MessagingAttribute.DestinationName]: partition.topic,
            [MessagingAttribute.DestinationPartitionId]: String(partition.partition),
          });
        }
        result.observe(pausedPartitions, paused, this.#group);
      } catch {
        // A gauge never breaks the application's metric export.
      }
    };
    meter.addBatchObservableCallback(observe, [inFlight, pausedPartitions, lag]);
    return {
      meter,
      consumed: meter.createCounter(MetricName.ConsumedMessages, {
        description: 'Records a poll delivered to the consumer.',
        unit: '{message}',
        valueType: ValueType.INT,
      }),
      processDuration: meter.createHistogram(MetricName.ProcessDuration, {
        description: 'Duration of a handler call.',
        unit: 's',
        advice,
      }),
      operationDuration: meter.createHistogram(MetricName.OperationDuration, {
        description: "Duration of a commit, from the request to the broker's answer.",
        unit: 's',
        advice,
      }),
      records,
      commitFailures: meter.createCounter(MetricName.CommitFailures, {
        description: 'Commits the broker did not confirm (or not in time).',
        unit: '{commit}',
        valueType: ValueType.INT,
      }),
      gauges: [inFlight, pausedPartitions, lag],
      observe,
    };
  }
}
