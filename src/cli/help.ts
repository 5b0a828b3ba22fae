/**
 * The texts of `--help` and `--version`.
 */
import { readFileSync } from 'node:fs';
import { type CommandName, defaultConnectTimeoutSeconds, defaultGroup, EnvVar } from './args.js';
import { defaultAnswerStatus, defaultCommandTimeoutSeconds, defaultTenant } from './command-args.js';

/** The program's name, as `npx` and the `bin` entry call it. */
export const programName = 'eclipse-hono-kafka';

const exitCodes = `Exit codes:
  0    done: --max-events reached, or stopped by SIGINT/SIGTERM; what was printed is committed
  1    runtime failure: cannot connect, login refused, fatal Kafka client error, output failed,
       or the last commit failed (the next run prints those events again)
  2    usage error: bad or missing arguments
  130  a second SIGINT (143: SIGTERM) forced the exit before the consumer stopped`;

const commandExitCodes = `Exit codes:
  0    a 2xx response (request/response), or the broker acknowledged the one-way command
  1    runtime failure: cannot connect, login refused, fatal Kafka client error, the command
       could not be written (or not within --timeout), or a malformed response
  2    usage error: bad or missing arguments
  3    the device answered with a status that is not 2xx (the res line shows it)
  4    Hono could not deliver the command (a delivery failure, e.g. 503: the device is not
       connected or has not subscribed for commands)
  5    the command was written, but no response came within --timeout`;

const simulateExitCodes = `Exit codes:
  0    stopped by SIGINT/SIGTERM; the devices were disconnected
  1    runtime failure: cannot connect, login refused, fatal Kafka client error
  2    usage error: bad or missing arguments
  130  a second SIGINT (143: SIGTERM) forced the exit before the simulator closed`;

const connectionHelp = `Connection:
  -b, --brokers <list>       bootstrap brokers, host:port[,host:port...]
                             (default: env ${EnvVar.brokers})
      --connect-timeout <s>  seconds to wait for a broker (default: ${defaultConnectTimeoutSeconds})

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
      --kafka <key=value>    a librdkafka setting (repeatable), e.g. socket.timeout.ms=10000
  -h, --help                 show this help
      --version              show the version`;

/** `eclipse-hono-kafka --help`. */
export const generalHelp = `Usage: ${programName} <command> [options]

Receive Eclipse Hono telemetry and events from Apache Kafka, at least once, and send commands to
devices.

Commands:
  consume    print the telemetry and events of some tenants or every tenant, committing each
             message after it was printed
  command    send a command to a device and print its response (like hono-cli app command)
  simulate   simulated devices that answer commands (the SDK's Hono simulator), for trying out

Options:
  -h, --help     show help (${programName} <command> --help: the options of a command)
      --version  show the version

${exitCodes}
  command has exit codes of its own (${programName} command --help).
`;

/** `eclipse-hono-kafka consume --help`. */
export const consumeHelp = `Usage: ${programName} consume --brokers <host:port,...> --tenant <id>|--all-tenants [options]

Print the telemetry and events of Hono tenants (topics hono.telemetry.<tenant> and
hono.event.<tenant>) as they arrive, one line per message on stdout. A message's position is
committed in the consumer group only after its line was written, so a later run with the same
--group resumes after the last printed message.

Connection:
  -b, --brokers <list>       bootstrap brokers, host:port[,host:port...]
                             (default: env ${EnvVar.brokers})
  -t, --tenant <id>          tenant to consume; repeat it or separate with commas
      --all-tenants          every tenant, also those created while it runs (read from their
                             first message, found within about 15 s); one of --tenant and
                             --all-tenants is required
  -g, --group <id>           consumer group (default: ${defaultGroup})
      --from-beginning       a group without committed positions starts at the oldest message
                             (default: at the newest, only messages that arrive from now on)
      --connect-timeout <s>  seconds to wait for a broker (default: ${defaultConnectTimeoutSeconds})

Messages:
      --telemetry            consume telemetry (hono.telemetry.<tenant>)
      --event                consume events (hono.event.<tenant>)
                             (default: both, as hono-cli app consume does)
      --qos0 <policy>        what telemetry sent with qos 0 gets: at-least-once (default),
                             printed and committed like every other message; or at-most-once,
                             committed once fetched and never printed twice: such messages
                             fetched but not printed when the command stops (a signal,
                             --max-events, a failure or a crash) are lost

Output:
  -n, --max-events <n>       stop after n messages; exactly those are committed (with
                             --qos0 at-most-once, qos-0 telemetry fetched beyond them too)
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
provisioning), endpoint (telemetry or event), tenantId, deviceId, contentType, creationTime,
qos, ttd and ttl when set, topic, partition and offset, and by type: contentEncoding,
payload and payloadEncoding; cause, remoteId, source and data; registrationStatus and
gatewayId. The payload is UTF-8 text (payloadEncoding "utf8") when the content type is
text/*, JSON, XML or YAML, there is no content-encoding and the bytes are valid UTF-8;
otherwise it is base64. Each partition is printed in offset order. A text line is
'<creation time> <tenant> <device> <kind> [<partition>]@<offset> qos=<qos> ...', where the
kind is telemetry or event for a device's data, or the notification's type. Records that are
not Hono messages are reported on stderr with their error code and position, and committed.
Messages whose ttl has expired are skipped and committed, as Hono does.

${exitCodes}

Examples:
  ${programName} consume -b 127.0.0.1:9092 -t DEFAULT_TENANT
  ${programName} consume -b 127.0.0.1:9092 -t DEFAULT_TENANT --from-beginning \\
    --max-events 10 > events.jsonl
  ${programName} consume -b 127.0.0.1:9092 --all-tenants --telemetry --qos0 at-most-once
  ${EnvVar.password}=hono-secret ${programName} consume -b hono.eclipseprojects.io:9094 \\
    -t DEFAULT_TENANT --tls --sasl-mechanism SCRAM-SHA-512 --username hono
`;

/** \`eclipse-hono-kafka command --help\`. */
export const commandHelp = `Usage: ${programName} command --brokers <host:port,...> --device <id> --name <name> [options]

Send a command to a device through Hono's Command & Control API over Kafka (topic
hono.command.<tenant>) and, unless --one-way, wait for its response on
hono.command_response.<tenant>, like hono-cli's 'app command' (req and ow).

Command:
  -t, --tenant <id>          the device's tenant (default: ${defaultTenant})
  -d, --device <id>          the device (required)
  -n, --name <name>          the command name (required)
      --payload <text>       the payload, sent as UTF-8 (default: none)
      --content-type <type>  the payload's content type (default: application/json for a
                             payload in {...}, text/plain for any other payload)
      --one-way              a one-way command: no response; done once the broker took it
      --timeout <s>          seconds to wait in all, writing included (default: ${defaultCommandTimeoutSeconds})

Output:
      --json                 one JSON line (type response, deliveryFailure or oneWay) instead
                             of the text line 'res <device> <status> <content-type|-> <payload|->'

${connectionHelp}

A response of the device (any status) is printed as 'res ...' on stdout; a payload that is
not UTF-8 text is shown as base64:<bytes>. A delivery failure of Hono, or no response in
time, is reported on stderr. A one-way command prints nothing (with --json: one line).

${commandExitCodes}

Examples:
  ${programName} command -b 127.0.0.1:9092 -d 4711 -n setVolume --payload '{"level":7}'
  ${programName} command -b 127.0.0.1:9092 -t DEFAULT_TENANT -d 4711 -n reboot --one-way
`;

/** \`eclipse-hono-kafka simulate --help\`. */
export const simulateHelp = `Usage: ${programName} simulate --brokers <host:port,...> --device <id> [options]

Play Hono's side for a try-out of commands: the devices connect at the start (a connection
event and an empty notification with their ttd on hono.event.<tenant>), every request to
them is answered with --status echoing the command's payload and content type, and a
request to any other device gets Hono's 503 'no consumer available'. SIGINT or SIGTERM
disconnects the devices (ttd 0, then a disconnection event) and ends the simulator.
Commands created before the start are neither answered nor printed: they were meant for an
earlier run.

Simulation:
  -t, --tenant <id>          the tenant (default: ${defaultTenant})
  -d, --device <id>          a device to simulate (required; repeat it for more devices)
      --ttd=<s>              the devices' ttd: -1 until they disconnect (default), or seconds
      --status <code>        the status of every answer (default: ${defaultAnswerStatus}); 200-299 or 400-599

Output:
      --json                 one JSON line per handled command instead of the text line
                             'cmd <device> <name> <outcome> <status|->'

${connectionHelp}

Outcomes: answered, unanswered, oneWay, noConsumer (a 503 was written), malformed,
dropped, expired, failed.

${simulateExitCodes}

Examples:
  ${programName} simulate -b 127.0.0.1:9092 -d 4711 -d 4712
  ${programName} simulate -b 127.0.0.1:9092 -t DEFAULT_TENANT -d 4711 --status 503
`;

/**
 * The help of a command, or the general help.
 *
 * @param command - the command, if any
 * @returns the help text
 */
export function helpOf(command: CommandName | undefined): string {
  switch (command) {
    case 'consume':
      return consumeHelp;
    case 'command':
      return commandHelp;
    case 'simulate':
      return simulateHelp;
    case undefined:
      return generalHelp;
  }
}

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
export function helpHint(command: CommandName | undefined): string {
  return `Run '${programName}${command === undefined ? '' : ` ${command}`} --help' for usage.`;
}
