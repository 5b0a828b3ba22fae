/**
 * TLS and SASL: connect to a secured Kafka cluster, e.g. Hono's sandbox, which uses SASL_SSL with
 * SCRAM-SHA-512. Everything secret comes from environment variables; nothing is hard-coded.
 *
 * The SDK passes the `kafka` option through to librdkafka, so every TLS and SASL setting of librdkafka
 * (https://github.com/confluentinc/librdkafka/blob/master/CONFIGURATION.md) is available: `security.protocol`,
 * `sasl.*`, `ssl.*`, also timeouts and socket settings. Only the settings the SDK owns are refused with an
 * `OptionsError` naming the option to use instead (`group.id`, `bootstrap.servers`, `enable.auto.commit`,
 * `auto.offset.reset`, ...). Secret values (passwords, keys) never appear in the SDK's logs, errors or
 * events.
 *
 * Run against a local broker with a SCRAM-SHA-512 listener (without TLS): `npm run kafka:start -- --sasl`
 * prints `KAFKA_SASL_BOOTSTRAP_SERVERS`, `KAFKA_SASL_USERNAME` and `KAFKA_SASL_PASSWORD`; then
 * `KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:<sasl port> KAFKA_SECURITY_PROTOCOL=sasl_plaintext
 * KAFKA_SASL_USERNAME=<user> KAFKA_SASL_PASSWORD=<password> npx tsx examples/tls-sasl.ts`.
 *
 * Against Hono's sandbox (TLS with a publicly trusted certificate, so no CA file is needed):
 * `KAFKA_BOOTSTRAP_SERVERS=hono.eclipseprojects.io:9094 HONO_TENANT=<your tenant>
 * KAFKA_SASL_USERNAME=<user> KAFKA_SASL_PASSWORD=<password> npx tsx examples/tls-sasl.ts`, with the
 * credentials from the sandbox's page.
 *
 * Environment:
 * - `KAFKA_BOOTSTRAP_SERVERS` (default 127.0.0.1:9092), `HONO_TENANT` (DEFAULT_TENANT), `GROUP_ID`
 *   (tls-sasl-example)
 * - `KAFKA_SECURITY_PROTOCOL`: `sasl_ssl` (default), `sasl_plaintext` (only for a local test broker), `ssl`
 * - `KAFKA_SASL_MECHANISM`: `SCRAM-SHA-512` (default), `SCRAM-SHA-256`, `PLAIN`
 * - `KAFKA_SASL_USERNAME`, `KAFKA_SASL_PASSWORD`: required with SASL. In Kubernetes, from a Secret
 *   (`env[].valueFrom.secretKeyRef`), never in the image or the source.
 * - `KAFKA_CA_FILE`: PEM file with the CA that signed the brokers' certificates (a private CA, e.g. Hono's
 *   Helm chart's); without it the system's CA store is used.
 * - `KAFKA_CERT_FILE`, `KAFKA_KEY_FILE`, `KAFKA_KEY_PASSWORD`: a client certificate, for clusters that
 *   authenticate clients with mutual TLS.
 */
import { HonoEventConsumer, isHonoKafkaError } from 'eclipse-hono-kafka';

/** An environment variable that must be set. */
function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    console.error(`${name} is not set`);
    process.exit(2);
  }
  return value;
}

/** Adds a setting only when its environment variable is set. */
function fromEnvironment(name: string, setting: string): Record<string, string> {
  const value = process.env[name];
  return value === undefined || value === '' ? {} : { [setting]: value };
}

const securityProtocol = process.env['KAFKA_SECURITY_PROTOCOL'] ?? 'sasl_ssl';
const usesTls = securityProtocol === 'ssl' || securityProtocol === 'sasl_ssl';
const usesSasl = securityProtocol.startsWith('sasl_');

const kafka: Record<string, string> = {
  'security.protocol': securityProtocol,
  ...(usesSasl && {
    'sasl.mechanisms': process.env['KAFKA_SASL_MECHANISM'] ?? 'SCRAM-SHA-512',
    'sasl.username': required('KAFKA_SASL_USERNAME'),
    'sasl.password': required('KAFKA_SASL_PASSWORD'),
  }),
  ...(usesTls && {
    // The CA file, or `probe`: librdkafka looks for the system's CA store in the usual places.
    'ssl.ca.location': process.env['KAFKA_CA_FILE'] ?? 'probe',
    // Check that the certificate names the broker (librdkafka's default since 2.0, spelled out). Turning it
    // off (`none`) lets anyone with any certificate from that CA pose as the broker: only for a lab.
    'ssl.endpoint.identification.algorithm': 'https',
    // Mutual TLS, when the cluster wants a client certificate.
    ...fromEnvironment('KAFKA_CERT_FILE', 'ssl.certificate.location'),
    ...fromEnvironment('KAFKA_KEY_FILE', 'ssl.key.location'),
    ...fromEnvironment('KAFKA_KEY_PASSWORD', 'ssl.key.password'),
  }),
};

const consumer = new HonoEventConsumer({
  brokers: process.env['KAFKA_BOOTSTRAP_SERVERS'] ?? '127.0.0.1:9092',
  tenant: process.env['HONO_TENANT'] ?? 'DEFAULT_TENANT',
  groupId: process.env['GROUP_ID'] ?? 'tls-sasl-example',
  kafka,
  // A TLS handshake and a SASL login over the internet take longer than a local connection.
  connectTimeoutMs: 30_000,
});

// Also after a successful start, e.g. when the password was rotated and a reconnect is refused
// (ERR_HONO_AUTHENTICATION). The password itself never appears in the message.
consumer.on('error', (error) => {
  console.error(`[${error.code}] ${error.message}`);
});

try {
  await consumer.run({
    connection: (event) => {
      console.log(`${event.deviceId} ${event.cause} via ${event.source}`);
    },
    event: (event) => {
      console.log(`${event.deviceId} ${event.type} ${event.topic}/${event.partition}@${event.offset}`);
    },
  });
} catch (error) {
  if (isHonoKafkaError(error)) {
    // The message names the bootstrap servers, the likely cause and what to do:
    // ERR_HONO_TLS: the broker's certificate was rejected (a CA not in ssl.ca.location, or a certificate
    // for another host name).
    // ERR_HONO_AUTHENTICATION: wrong user or password.
    // ERR_HONO_PROTOCOL_MISMATCH: TLS or SASL against a listener without it (or the other way round), a
    // mechanism the listener does not offer, or a port that is not Kafka.
    // ERR_HONO_BROKERS_DOWN: wrong host or port, or no broker answered within connectTimeoutMs.
    console.error(`could not connect: [${error.code}] ${error.message}`);
  } else {
    console.error('could not connect:', error);
  }
  process.exit(1);
}
console.log(`consumer running (${securityProtocol})`);

async function shutDown(signal: NodeJS.Signals): Promise<void> {
  console.log(`${signal}: stopping`);
  try {
    await consumer.stop();
  } catch (error) {
    console.error(isHonoKafkaError(error) ? `[${error.code}] ${error.message}` : error);
    process.exitCode = 1;
  }
}
// `once`: a second Ctrl-C or SIGTERM gets Node's default, an immediate exit.
process.once('SIGINT', (signal) => void shutDown(signal));
process.once('SIGTERM', (signal) => void shutDown(signal));
