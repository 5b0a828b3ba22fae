/**
 * The broker the benchmarks run against: `KAFKA_BOOTSTRAP_SERVERS` when set, else a single KRaft node of
 * the test harness with the full JIT (no quick-start flags) and a heap big enough not to collect often.
 */
import { KafkaCluster } from '../../test/harness/kafka-cluster.js';

/** A broker and how to let go of it. */
export interface BenchBroker {
  readonly bootstrapServers: string;
  /** The Kafka version, or `external`. */
  readonly version: string;
  stop(): Promise<void>;
}

/**
 * Starts a broker, or uses the one named by `KAFKA_BOOTSTRAP_SERVERS`.
 *
 * @param log - progress lines
 */
export async function benchBroker(log: (line: string) => void): Promise<BenchBroker> {
  const external = process.env['KAFKA_BOOTSTRAP_SERVERS'];
  if (external !== undefined && external !== '') {
    log(`using the broker at ${external}`);
    return { bootstrapServers: external, version: 'external', stop: () => Promise.resolve() };
  }
  const cluster = await KafkaCluster.start({ nodes: 1, heapMb: 1024, fastStart: false, log });
  return {
    bootstrapServers: cluster.bootstrapServers,
    version: cluster.distribution.release.version,
    stop: () => cluster.stop(),
  };
}
