/**
 * Vitest global setup for the integration project: a real Kafka broker for every test file.
 *
 * - `KAFKA_BOOTSTRAP_SERVERS` set: the tests use that broker. It must answer within 30 s, or the run
 *   fails. SASL tests use `KAFKA_SASL_BOOTSTRAP_SERVERS`, `KAFKA_SASL_USERNAME` and `KAFKA_SASL_PASSWORD`
 *   when given; TLS tests use the variables of `tlsVariables` in `kafka-env.ts`. Without them these
 *   tests fail with a message naming what is missing.
 * - Otherwise the harness starts a single KRaft node on 127.0.0.1 with PLAINTEXT, SASL_PLAINTEXT
 *   (SCRAM-SHA-512), SSL, SASL_SSL and an SSL listener whose certificate names another host (a test CA
 *   generated with openssl), and stops it when the run ends, also when tests fail.
 */
import type { TestProject } from 'vitest/node';
import { KafkaCluster } from '../harness/kafka-cluster.js';
import { fetchBrokerIds } from '../harness/probe.js';
import { type KafkaTestEnvironment, type TlsEnvironment, tlsVariables } from './kafka-env.js';

declare module 'vitest' {
  export interface ProvidedContext {
    kafka: KafkaTestEnvironment;
  }
}

function tlsFromEnvironment(): KafkaTestEnvironment['tls'] {
  const entries = Object.entries(tlsVariables).map(([key, name]) => [key, process.env[name]] as const);
  const missing = entries.filter(([, value]) => value === undefined || value === '');
  if (missing.length > 0) {
    return { missing: missing.map(([key]) => tlsVariables[key as keyof TlsEnvironment]) };
  }
  return Object.fromEntries(entries) as unknown as TlsEnvironment;
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
    tls: tlsFromEnvironment(),
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
    tls: true,
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
    tls:
      cluster.tls?.saslSslBootstrapServers === undefined
        ? { missing: ['the harness started no TLS listeners'] }
        : {
            sslBootstrapServers: cluster.tls.sslBootstrapServers,
            saslSslBootstrapServers: cluster.tls.saslSslBootstrapServers,
            caFile: cluster.tls.caFile,
            otherCaFile: cluster.tls.otherCaFile,
            otherHostBootstrapServers: cluster.tls.otherHostBootstrapServers,
          },
  });
  return async () => {
    await cluster.stop();
    console.log('[kafka] broker stopped');
  };
}
