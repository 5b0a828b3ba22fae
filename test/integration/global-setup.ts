/**
 * Vitest global setup for the integration project: a real Kafka broker for every test file.
 *
 * - `KAFKA_BOOTSTRAP_SERVERS` set: the tests use that broker. It must answer within 30 s, or the run
 *   fails. SASL tests use `KAFKA_SASL_BOOTSTRAP_SERVERS`, `KAFKA_SASL_USERNAME` and `KAFKA_SASL_PASSWORD`
 *   when given; without them they fail with a message saying so.
 * - Otherwise the harness starts a single KRaft node on 127.0.0.1 with a PLAINTEXT and a SASL_PLAINTEXT
 *   (SCRAM-SHA-512) listener, and stops it when the run ends, also when tests fail.
 */
import type { TestProject } from 'vitest/node';
import { KafkaCluster } from '../harness/kafka-cluster.js';
import { fetchBrokerIds } from '../harness/probe.js';
import type { KafkaTestEnvironment } from './kafka-env.js';

declare module 'vitest' {
  export interface ProvidedContext {
    kafka: KafkaTestEnvironment;
  }
}

function fromEnvironment(bootstrapServers: string): KafkaTestEnvironment {
  const sasl = process.env['KAFKA_SASL_BOOTSTRAP_SERVERS'];
  const username = process.env['KAFKA_SASL_USERNAME'];
  const password = process.env['KAFKA_SASL_PASSWORD'];
  return {
    bootstrapServers,
    startedByHarness: false,
    version: 'external',
    sasl:
      sasl !== undefined && username !== undefined && password !== undefined
        ? { bootstrapServers: sasl, username, password }
        : undefined,
  };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env['KAFKA_BOOTSTRAP_SERVERS'];
  if (external !== undefined && external !== '') {
    try {
      await fetchBrokerIds(external, 30_000);
    } catch (error) {
      throw new Error(`KAFKA_BOOTSTRAP_SERVERS=${external} does not answer a metadata request`, {
        cause: error,
      });
    }
    console.log(`[kafka] using the broker at ${external}`);
    project.provide('kafka', fromEnvironment(external));
    return () => Promise.resolve();
  }

  const user = { name: 'hono-app', password: 'hono-app-secret' };
  const started = Date.now();
  const cluster = await KafkaCluster.start({
    sasl: { users: [user] },
    log: (line) => {
      console.log(`[kafka] ${line}`);
    },
  });
  console.log(
    `[kafka] started Kafka ${cluster.distribution.release.version} in ${Date.now() - started} ms at ${cluster.bootstrapServers} (pid ${cluster.info().pids.join(',')})`,
  );
  project.provide('kafka', {
    bootstrapServers: cluster.bootstrapServers,
    startedByHarness: true,
    version: cluster.distribution.release.version,
    sasl:
      cluster.saslBootstrapServers === undefined
        ? undefined
        : { bootstrapServers: cluster.saslBootstrapServers, username: user.name, password: user.password },
  });
  return async () => {
    await cluster.stop();
    console.log('[kafka] broker stopped');
  };
}
