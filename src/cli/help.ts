/**
 * The texts of `--help` and `--version`.
 */
import { readFileSync } from 'node:fs';
import { defaultConnectTimeoutSeconds, defaultGroup, EnvVar } from './args.js';

/** The program's name, as `npx` and the `bin` entry call it. */
export const programName = 'eclipse-hono-kafka';

const exitCodes = `Exit codes:
  0    done: --max-events reached, or stopped by SIGINT/SIGTERM; what was printed is committed
  1    runtime failure: cannot connect, login refused, fatal Kafka client error, output failed,
       or the last commit failed (the next run prints those events again)
  2    usage error: bad or missing arguments
  130  a second SIGINT (143: SIGTERM) forced the exit before the consumer stopped`;

/** `eclipse-hono-kafka --help`. */
export const generalHelp = `Usage: ${programName} <command> [options]

Receive Eclipse Hono device events from Apache Kafka, at least once.

Commands:
  consume    print the events of one or more tenants, committing each after it was printed

Options:
  -h, --help     show help (${programName} consume --help: the options of consume)
      --version  show the version

${exitCodes}
`;

/** `eclipse-hono-kafka consume --help`. */
export const consumeHelp = `Usage: ${programName} consume --brokers <host:port,...> --tenant <id> [options]

Print the events of Hono tenants (topics hono.event.<tenant>) as they arrive, one line per
event on stdout. An event's position is committed in the consumer group only after its line
was written, so a later run with the same --group resumes after the last printed event.

Connection:
  -b, --brokers <list>       bootstrap brokers, host:port[,host:port...]
                             (default: env ${EnvVar.brokers})
  -t, --tenant <id>          tenant to consume (required); repeat it or separate with commas
  -g, --group <id>           consumer group (default: ${defaultGroup})
      --from-beginning       a group without committed positions starts at the oldest event
                             (default: at the newest, only events that arrive from now on)
      --connect-timeout <s>  seconds to wait for a broker (default: ${defaultConnectTimeoutSeconds})

Output:
  -n, --max-events <n>       stop after n events; exactly those are committed
      --format <json|text>   json (default): one JSON object per line; text: one readable line
      --progress             live progress on stderr (default: when stderr is a terminal)
  -q, --quiet                no progress, no notices (errors and invalid records still show)

TLS:
      --tls                  connect with TLS
      --ca-file <path>       CA certificates (PEM) to verify the brokers with; implies --tls
      --cert-file <path>     client certificate (PEM) for mutual TLS; implies --tls
      --key-file <path>      the client certificate's private key (PEM)

SASL:
      --sasl-mechanism <m>   SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN
      --username <name>      SASL user (default: env ${EnvVar.username})
      --password <secret>    SASL password (default: env ${EnvVar.password}, which keeps it
                             off the command line and out of the process list)

Other:
      --kafka <key=value>    a librdkafka setting (repeatable), e.g. session.timeout.ms=10000;
                             wins over the settings that the options above make
  -h, --help                 show this help
      --version              show the version

Output format: each JSON line has type (event, connection, emptyNotification or
provisioning), tenantId, deviceId, contentType, creationTime, qos, ttd and ttl when set,
topic, partition and offset, and by type: contentEncoding, payload and payloadEncoding;
cause, remoteId, source and data; registrationStatus and gatewayId. The payload is UTF-8
text (payloadEncoding "utf8") when the content type is text/*, JSON, XML or YAML, there is
no content-encoding and the bytes are valid UTF-8; otherwise it is base64. Each partition
is printed in offset order. Records that are not Hono events are reported on stderr with
their error code and position, and committed. Events whose ttl has expired are skipped and
committed, as Hono does.

${exitCodes}

Examples:
  ${programName} consume -b 127.0.0.1:9092 -t DEFAULT_TENANT
  ${programName} consume -b 127.0.0.1:9092 -t DEFAULT_TENANT --from-beginning \\
    --max-events 10 > events.jsonl
  ${EnvVar.password}=hono-secret ${programName} consume -b hono.eclipseprojects.io:9094 \\
    -t DEFAULT_TENANT --tls --sasl-mechanism SCRAM-SHA-512 --username hono
`;

/**
 * The package's version, read from its package.json (two folders up in both `src/cli` and `dist/cli`).
 *
 * @returns the version, or `unknown` when package.json cannot be read
 */
export function version(): string {
  try {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: unknown;
    };
    return typeof manifest.version === 'string' ? manifest.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * What follows a usage error on stderr: where to find help.
 *
 * @param command - the command the error is about, if any
 * @returns the hint
 */
export function helpHint(command: 'consume' | undefined): string {
  return `Run '${programName}${command === undefined ? '' : ` ${command}`} --help' for usage.`;
}
