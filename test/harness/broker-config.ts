/**
 * Writes the configuration of one KRaft node (broker and controller in one JVM) on loopback.
 */
import type { KafkaRelease } from './distribution.js';
import type { PemKeyPair } from './tls.js';

/** A SCRAM-SHA-512 user created when storage is formatted. */
export interface ScramUser {
  readonly name: string;
  readonly password: string;
}

/** The ports of one node. */
export interface NodePorts {
  readonly plaintext: number;
  readonly controller: number;
  /** Present when the cluster has a SASL_PLAINTEXT listener. */
  readonly sasl?: number | undefined;
  /** Present when the cluster has TLS listeners. */
  readonly tls?: TlsPorts | undefined;
}

/** The TLS listeners of one node. */
export interface TlsPorts {
  /** SSL, with a certificate for 127.0.0.1. */
  readonly ssl: number;
  /** SSL with a certificate for another host name (`OTHER_HOST`): host-name checks must reject it. */
  readonly otherHost: number;
  /** SASL_SSL (SCRAM-SHA-512); present when the cluster has SASL users. */
  readonly saslSsl?: number | undefined;
}

/** The broker's TLS keys: PEM texts, written into `server.properties`. */
export interface BrokerTls {
  /** The key and chain of the SSL and SASL_SSL listeners. */
  readonly broker: PemKeyPair;
  /** The key and chain of the `OTHER_HOST` listener. */
  readonly otherHost: PemKeyPair;
}

/** Everything needed to write one node's `server.properties`. */
export interface NodeConfigInput {
  readonly release: KafkaRelease;
  readonly nodeId: number;
  readonly ports: NodePorts;
  /** `nodeId@127.0.0.1:controllerPort` for every node of the cluster. */
  readonly quorumVoters: string;
  readonly clusterSize: number;
  readonly logDir: string;
  /** The keys of the TLS listeners; required when `ports.tls` is set. */
  readonly tls?: BrokerTls | undefined;
  /** Extra broker settings, applied last. */
  readonly overrides?: Readonly<Record<string, string | number | boolean>> | undefined;
}

/**
 * Renders `server.properties` for one node.
 *
 * @param input - the node and its cluster
 * @returns the file's text
 */
export function renderNodeConfig(input: NodeConfigInput): string {
  const { release, nodeId, ports, quorumVoters, clusterSize, logDir } = input;
  const replication = Math.min(clusterSize, 3);
  const listeners = [`PLAINTEXT://127.0.0.1:${ports.plaintext}`];
  const protocols = ['PLAINTEXT:PLAINTEXT', 'CONTROLLER:PLAINTEXT'];
  if (ports.sasl !== undefined) {
    listeners.push(`SASL_PLAINTEXT://127.0.0.1:${ports.sasl}`);
    protocols.push('SASL_PLAINTEXT:SASL_PLAINTEXT');
  }
  const tls = ports.tls;
  if (tls !== undefined) {
    listeners.push(`SSL://127.0.0.1:${tls.ssl}`, `OTHER_HOST://127.0.0.1:${tls.otherHost}`);
    protocols.push('SSL:SSL', 'OTHER_HOST:SSL');
    if (tls.saslSsl !== undefined) {
      listeners.push(`SASL_SSL://127.0.0.1:${tls.saslSsl}`);
      protocols.push('SASL_SSL:SASL_SSL');
    }
  }
  const settings: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': nodeId,
    'controller.quorum.voters': quorumVoters,
    listeners: [...listeners, `CONTROLLER://127.0.0.1:${ports.controller}`].join(','),
    'advertised.listeners': listeners.join(','),
    'listener.security.protocol.map': protocols.join(','),
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'log.dirs': logDir,
    'num.partitions': 1,
    'default.replication.factor': replication,
    'min.insync.replicas': clusterSize >= 3 ? 2 : 1,
    'offsets.topic.replication.factor': replication,
    'offsets.topic.num.partitions': 1,
    'transaction.state.log.replication.factor': replication,
    'transaction.state.log.min.isr': clusterSize >= 3 ? 2 : 1,
    'transaction.state.log.num.partitions': 1,
    'group.initial.rebalance.delay.ms': 0,
    'log.cleaner.dedupe.buffer.size': 2097152,
    'num.network.threads': 2,
    'num.io.threads': 2,
    'background.threads': 2,
    'num.recovery.threads.per.data.dir': 1,
    'auto.create.topics.enable': true,
    'delete.topic.enable': true,
    'broker.heartbeat.interval.ms': 500,
    'broker.session.timeout.ms': 3000,
  };
  if (release.line !== '3.9') {
    Object.assign(settings, {
      'share.coordinator.state.topic.replication.factor': replication,
      'share.coordinator.state.topic.min.isr': clusterSize >= 3 ? 2 : 1,
      'group.coordinator.rebalance.protocols': 'classic,consumer',
      // KIP-848 groups keep their session and heartbeat on the broker: shorter for tests.
      'group.consumer.min.heartbeat.interval.ms': 500,
      'group.consumer.heartbeat.interval.ms': 1000,
      'group.consumer.min.session.timeout.ms': 6000,
      'group.consumer.session.timeout.ms': 10000,
    });
  }
  if (ports.sasl !== undefined) {
    Object.assign(settings, {
      'sasl.enabled.mechanisms': 'SCRAM-SHA-512',
      'listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config':
        'org.apache.kafka.common.security.scram.ScramLoginModule required;',
    });
  }
  if (ports.sasl !== undefined && tls?.saslSsl !== undefined) {
    settings['listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config'] =
      'org.apache.kafka.common.security.scram.ScramLoginModule required;';
  }
  if (tls !== undefined) {
    if (input.tls === undefined) throw new Error('TLS listeners need the broker keys (input.tls)');
    Object.assign(settings, tlsSettings(tls, input.tls));
  }
  Object.assign(settings, input.overrides);
  return Object.entries(settings)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join('\n')
    .concat('\n');
}

/** A PEM text as one line of `server.properties`: Java's properties reader turns `\n` back into newlines. */
function pemValue(pem: string): string {
  return pem.trim().split('\n').join('\\n');
}

/** Per-listener keystores in PEM form (Kafka 2.7+): no Java keystore files needed. */
function tlsSettings(ports: TlsPorts, keys: BrokerTls): Record<string, string> {
  const keystore = (listener: string, pair: PemKeyPair): Record<string, string> => ({
    [`listener.name.${listener}.ssl.keystore.type`]: 'PEM',
    [`listener.name.${listener}.ssl.keystore.certificate.chain`]: pemValue(pair.chain),
    [`listener.name.${listener}.ssl.keystore.key`]: pemValue(pair.key),
  });
  return {
    ...keystore('ssl', keys.broker),
    ...keystore('other_host', keys.otherHost),
    ...(ports.saslSsl === undefined ? {} : keystore('sasl_ssl', keys.broker)),
  };
}

/**
 * Renders the logging configuration: everything to standard output, which the harness writes to a file.
 *
 * @param release - decides between log4j2 (Kafka 4) and reload4j (Kafka 3)
 * @returns the file name to use and its text
 */
export function renderLogConfig(release: KafkaRelease): { fileName: string; text: string } {
  const pattern = '[%d] %p %m (%c)%n';
  if (release.logging === 'reload4j') {
    return {
      fileName: 'log4j.properties',
      text: [
        'log4j.rootLogger=INFO, stdout',
        'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
        'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
        `log4j.appender.stdout.layout.ConversionPattern=${pattern}`,
        'log4j.logger.kafka.request.logger=WARN',
        'log4j.logger.org.apache.kafka.clients=WARN',
        '',
      ].join('\n'),
    };
  }
  return {
    fileName: 'log4j2.properties',
    text: [
      'status = warn',
      'appender.out.type = Console',
      'appender.out.name = OUT',
      'appender.out.layout.type = PatternLayout',
      `appender.out.layout.pattern = ${pattern}`,
      'rootLogger.level = INFO',
      'rootLogger.appenderRef.out.ref = OUT',
      'logger.request.name = kafka.request.logger',
      'logger.request.level = WARN',
      'logger.clients.name = org.apache.kafka.clients',
      'logger.clients.level = WARN',
      '',
    ].join('\n'),
  };
}
