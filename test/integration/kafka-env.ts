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

/**
 * The TLS listeners: SSL and SASL_SSL (SCRAM-SHA-512, with the credentials of {@link SaslEnvironment}),
 * the CA that signed their certificates, a CA that did not, and an SSL listener whose certificate does
 * not name the host connected to.
 */
export interface TlsEnvironment {
  readonly sslBootstrapServers: string;
  readonly saslSslBootstrapServers: string;
  readonly caFile: string;
  readonly otherCaFile: string;
  readonly otherHostBootstrapServers: string;
}

/** The variables that describe an external broker's TLS listeners (with `KAFKA_BOOTSTRAP_SERVERS`). */
export const tlsVariables = {
  sslBootstrapServers: 'KAFKA_SSL_BOOTSTRAP_SERVERS',
  saslSslBootstrapServers: 'KAFKA_SASL_SSL_BOOTSTRAP_SERVERS',
  caFile: 'KAFKA_SSL_CA_LOCATION',
  otherCaFile: 'KAFKA_SSL_OTHER_CA_LOCATION',
  otherHostBootstrapServers: 'KAFKA_SSL_OTHER_HOST_BOOTSTRAP_SERVERS',
} as const satisfies Record<keyof TlsEnvironment, string>;

/** The broker the integration tests run against. */
export interface KafkaTestEnvironment {
  readonly bootstrapServers: string;
  /** True when the harness started the broker for this run; false for `KAFKA_BOOTSTRAP_SERVERS`. */
  readonly startedByHarness: boolean;
  readonly version: string;
  readonly sasl: SaslEnvironment | undefined;
  /** The TLS listeners, or the names of the variables that are missing for an external broker. */
  readonly tls: TlsEnvironment | { readonly missing: readonly string[] };
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

/**
 * The TLS listeners of this run, and the SCRAM credentials for the SASL_SSL one.
 *
 * @throws Error naming the missing variables when an external broker was given without them: a TLS test
 *   must fail, not skip
 */
export function tlsEnvironment(): TlsEnvironment & { readonly sasl: SaslEnvironment } {
  const { tls } = kafkaEnvironment();
  if ('missing' in tls) {
    throw new Error(
      `No TLS listeners: with KAFKA_BOOTSTRAP_SERVERS set, also set ${tls.missing.join(', ')} (and the KAFKA_SASL_* variables)`,
    );
  }
  return { ...tls, sasl: saslEnvironment() };
}
