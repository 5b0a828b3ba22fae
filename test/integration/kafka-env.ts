/**
 * What the global setup hands to every integration test: where the broker is and how to log in.
 */
import { inject } from 'vitest';

/** SCRAM-SHA-512 credentials for the SASL_PLAINTEXT listener. */
export interface SaslEnvironment {
  readonly bootstrapServers: string;
  readonly username: string;
  readonly password: string;
}

/** The broker the integration tests run against. */
export interface KafkaTestEnvironment {
  readonly bootstrapServers: string;
  /** True when the harness started the broker for this run; false for `KAFKA_BOOTSTRAP_SERVERS`. */
  readonly startedByHarness: boolean;
  readonly version: string;
  readonly sasl: SaslEnvironment | undefined;
}

/** The broker of this run (from the global setup). */
export function kafkaEnvironment(): KafkaTestEnvironment {
  return inject('kafka');
}

/**
 * The SASL listener of this run.
 *
 * @throws Error when the run has none: a SASL test must fail, not skip, when it cannot reach its broker
 */
export function saslEnvironment(): SaslEnvironment {
  const { sasl } = kafkaEnvironment();
  if (sasl === undefined) {
    throw new Error(
      'No SASL listener: with KAFKA_BOOTSTRAP_SERVERS set, also set KAFKA_SASL_BOOTSTRAP_SERVERS, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD',
    );
  }
  return sasl;
}
