/**
 * A fake response reader of the command client for unit tests: the test assigns it partitions and feeds
 * it records.
 */
import type { ClientMessage } from '../../../src/engine/client.js';
import type {
  ReaderPosition,
  ResponseReaderClient,
  ResponseReaderListeners,
} from '../../../src/commands/response-reader-client.js';
import type { TopicPartition } from '../../../src/types.js';

/** The tenant of the fake's responses. */
export const tenant = 'DEFAULT_TENANT';
/** The topic the fake reads. */
export const responseTopic = `hono.command_response.${tenant}`;

/** A response reader whose partitions and records come from the test. */
export class FakeReader implements ResponseReaderClient {
  readonly listeners: ResponseReaderListeners;
  readonly settings: Record<string, unknown>;
  readonly assigned: ReaderPosition[] = [];
  readonly queue: ClientMessage[] = [];
  watermark = 5;
  subscribed: string | undefined;
  closed = false;

  constructor(settings: Record<string, unknown>, listeners: ResponseReaderListeners) {
    this.settings = settings;
    this.listeners = listeners;
  }
  connect(): Promise<void> {
    return Promise.resolve();
  }
  requestTopic(): Promise<boolean> {
    return Promise.resolve(true);
  }
  subscribe(topic: string): void {
    this.subscribed = topic;
  }
  async poll(max: number, timeoutMs: number): Promise<ClientMessage[]> {
    if (this.queue.length === 0) await new Promise((resolve) => setTimeout(resolve, timeoutMs));
    return this.queue.splice(0, max);
  }
  assign(positions: readonly ReaderPosition[]): void {
    this.assigned.push(...positions);
  }
  readonly unassigned: TopicPartition[] = [];
  unassign(partitions: readonly TopicPartition[]): void {
    this.unassigned.push(...partitions);
  }
  highWatermark(): Promise<number> {
    return Promise.resolve(this.watermark);
  }
  disconnect(): Promise<boolean> {
    this.closed = true;
    return Promise.resolve(true);
  }
  /** The group hands out partitions, as librdkafka does during a poll. */
  assignPartitions(count: number): void {
    const partitions = Array.from({ length: count }, (_, partition) => ({ topic: responseTopic, partition }));
    this.listeners.rebalance({ kind: 'assign', partitions, lost: false });
  }
}
