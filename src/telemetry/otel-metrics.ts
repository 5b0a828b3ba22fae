/**
 * The metrics of a consumer: records consumed per poll, handler durations, commit durations and
 * failures, records by outcome, and gauges of its health (in flight, paused partitions, lag).
 */
import type {
  Attributes,
  BatchObservableCallback,
  Counter,
  Histogram,
  Meter,
  MeterProvider,
  ObservableGauge,
} from '@opentelemetry/api';
import type { HonoKafkaError } from '../errors.js';
import type { ClientMessage } from '../engine/client.js';
import type { ConsumerObserverConfig } from './config.js';
import { instrumentationName, type OpenTelemetryApi } from './otel-api.js';
import {
  durationBuckets,
  HonoAttribute,
  MessagingAttribute,
  MetricName,
  type RecordOutcome,
} from './semconv.js';

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

/** The metrics side of a consumer's OpenTelemetry observer. */
export class ConsumerMetrics {
  readonly #api: OpenTelemetryApi;
  readonly #config: ConsumerObserverConfig;
  readonly #version: string | undefined;
  readonly #template: (topic: string) => string;
  readonly #group: Attributes;
  /** Attribute sets by template and kind, made once each. */
  readonly #attributes = new Map<string, Attributes>();
  /** The provider the instruments come from (to notice a global one registered later). */
  #provider: MeterProvider | undefined;
  /** The instruments, or undefined while the meter is the no-op one. */
  #instruments: Instruments | undefined;
  #closed = false;

  /**
   * @param api - `@opentelemetry/api`
   * @param config - the consumer's side (its telemetry option is not `false`)
   * @param version - the instrumentation scope's version
   * @param template - the destination template of a topic (cached by the caller)
   */
  constructor(
    api: OpenTelemetryApi,
    config: ConsumerObserverConfig,
    version: string | undefined,
    template: (topic: string) => string,
  ) {
    this.#api = api;
    this.#config = config;
    this.#version = version;
    this.#template = template;
    this.#group = {
      [MessagingAttribute.System]: 'kafka',
      [MessagingAttribute.ConsumerGroupName]: config.groupId,
    };
    this.refresh();
  }

  /** Whether metrics are recorded now. */
  get active(): boolean {
    return this.#instruments !== undefined;
  }

  /** Looks for the meter provider again: a global SDK registered after the consumer started is picked up. */
  refresh(): void {
    const telemetry = this.#config.telemetry;
    if (telemetry === false || this.#closed) return;
    const provider =
      (telemetry.meterProvider as MeterProvider | undefined) ?? this.#api.metrics.getMeterProvider();
    if (provider === this.#provider) return;
    this.#release();
    this.#provider = provider;
    const meter = provider.getMeter(instrumentationName, this.#version);
    // The no-op provider's meter is the API's no-op meter: nothing would be recorded.
    this.#instruments = meter === this.#api.createNoopMeter() ? undefined : this.#instrumentsOf(meter);
  }

  /**
   * A poll delivered records.
   *
   * @param messages - the records
   */
  fetched(messages: readonly ClientMessage[]): void {
    const instruments = this.#instruments;
    if (instruments === undefined || messages.length === 0) return;
    let topic: string | undefined;
    let count = 0;
    for (const message of messages) {
      if (message.topic !== topic) {
        if (topic !== undefined) instruments.consumed.add(count, this.#consumedAttributes(topic));
        topic = message.topic;
        count = 0;
      }
      count += 1;
    }
    if (topic !== undefined) instruments.consumed.add(count, this.#consumedAttributes(topic));
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
    const template = this.#template(topic);
    const attributes =
      error === undefined
        ? this.#cached(`process\u0000${template}`, () => this.#processAttributes(template))
        : { ...this.#processAttributes(template), [MessagingAttribute.ErrorType]: error.code };
    instruments.processDuration.record(seconds, attributes);
    this.outcome(topic, error === undefined ? 'handled' : 'failed');
  }

  /**
   * Counts a record's outcome.
   *
   * @param topic - the record's topic, if known
   * @param outcome - what became of it
   */
  outcome(topic: string | undefined, outcome: RecordOutcome): void {
    const instruments = this.#instruments;
    if (instruments === undefined) return;
    const template = topic === undefined ? '' : this.#template(topic);
    const attributes = this.#cached(`${outcome}\u0000${template}`, () => ({
      ...this.#group,
      ...(template === '' ? {} : { [MessagingAttribute.DestinationTemplate]: template }),
      [HonoAttribute.Outcome]: outcome,
    }));
    instruments.records.add(1, attributes);
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
    const attributes = this.#cached('commit', () => ({
      ...this.#group,
      [MessagingAttribute.OperationName]: 'commit',
      [MessagingAttribute.OperationType]: 'settle',
    }));
    if (error === undefined) {
      instruments.operationDuration.record(durationMs / 1000, attributes);
      return;
    }
    const failed = { ...attributes, [MessagingAttribute.ErrorType]: error.code };
    instruments.operationDuration.record(durationMs / 1000, failed);
    instruments.commitFailures.add(1, failed);
  }

  /** Removes the gauges' callback: the consumer stopped. */
  close(): void {
    this.#closed = true;
    this.#release();
  }

  #release(): void {
    const instruments = this.#instruments;
    this.#instruments = undefined;
    this.#provider = undefined;
    if (instruments !== undefined) {
      instruments.meter.removeBatchObservableCallback(instruments.observe, [...instruments.gauges]);
    }
  }

  #instrumentsOf(meter: Meter): Instruments {
    const { ValueType } = this.#api;
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
    const observe: BatchObservableCallback = (result) => {
      try {
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
      records: meter.createCounter(MetricName.Records, {
        description: 'Records by outcome: handled, failed, retried, skipped, dead_lettered, expired.',
        unit: '{message}',
        valueType: ValueType.INT,
      }),
      commitFailures: meter.createCounter(MetricName.CommitFailures, {
        description: 'Commits the broker did not confirm (or not in time).',
        unit: '{commit}',
        valueType: ValueType.INT,
      }),
      gauges: [inFlight, pausedPartitions, lag],
      observe,
    };
  }

  #consumedAttributes(topic: string): Attributes {
    const template = this.#template(topic);
    return this.#cached(`consumed\u0000${template}`, () => ({
      ...this.#group,
      [MessagingAttribute.OperationName]: 'poll',
      [MessagingAttribute.OperationType]: 'receive',
      [MessagingAttribute.DestinationTemplate]: template,
    }));
  }

  #processAttributes(template: string): Attributes {
    return {
      ...this.#group,
      [MessagingAttribute.OperationName]: 'process',
      [MessagingAttribute.OperationType]: 'process',
      [MessagingAttribute.DestinationTemplate]: template,
    };
  }

  #cached(key: string, make: () => Attributes): Attributes {
    let attributes = this.#attributes.get(key);
    if (attributes === undefined) {
      attributes = make();
      this.#attributes.set(key, attributes);
    }
    return attributes;
  }
}
