/**
 * A real Apache Kafka cluster (KRaft, one or three nodes) on 127.0.0.1, started from Maven Central jars.
 *
 * @example
 * const cluster = await KafkaCluster.start({ nodes: 1, sasl: { users: [{ name: 'app', password: 'pw' }] } });
 * try { use(cluster.bootstrapServers); } finally { await cluster.stop(); }
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type NodePorts, renderLogConfig, renderNodeConfig, type ScramUser } from './broker-config.js';
import {
  ensureKafkaDistribution,
  type KafkaDistribution,
  type KafkaRelease,
  releaseFromEnv,
} from './distribution.js';
import { KafkaNode } from './kafka-node.js';
import { HarnessAbort, waitForBrokers } from './probe.js';
import { makeTestCertificates, type TestCertificates } from './tls.js';

const run = promisify(execFile);

/** How to start a cluster. */
export interface KafkaClusterOptions {
  /** 1 for tests, 3 for fault tests. @defaultValue 1 */
  readonly nodes?: 1 | 3 | undefined;
  /** @defaultValue the release named by `KAFKA_VERSION`, else 4.1 */
  readonly release?: KafkaRelease | undefined;
  /** Adds a SASL_PLAINTEXT listener with these SCRAM-SHA-512 users, created at format time. */
  readonly sasl?: { readonly users: readonly ScramUser[] } | undefined;
  /**
   * Adds TLS listeners with certificates from a test CA generated for this cluster: SSL, SASL_SSL
   * (SCRAM-SHA-512, with `sasl`) and an SSL listener whose certificate names another host.
   */
  readonly tls?: boolean | undefined;
  /** Maximum heap per JVM in MiB. @defaultValue 384 */
  readonly heapMb?: number | undefined;
  /** C1-only JIT for a quicker start. @defaultValue true */
  readonly fastStart?: boolean | undefined;
  /** Extra broker settings. */
  readonly brokerOverrides?: Readonly<Record<string, string | number | boolean>> | undefined;
  /** The process whose death kills the JVMs; `null` lets them outlive the caller. @defaultValue process.pid */
  readonly ownerPid?: number | null | undefined;
  /** How long the cluster may take to answer metadata requests. @defaultValue 120000 */
  readonly startTimeoutMs?: number | undefined;
  /** Progress lines. */
  readonly log?: ((line: string) => void) | undefined;
}

/** The parts of a running cluster that another process needs to reach or stop it. */
export interface KafkaClusterInfo {
  readonly version: string;
  readonly bootstrapServers: string;
  readonly saslBootstrapServers?: string | undefined;
  readonly users: readonly ScramUser[];
  readonly tls?: KafkaClusterTls | undefined;
  readonly dataDir: string;
  readonly pids: readonly number[];
}

/** Where the TLS listeners of a cluster are, and the CA files a client needs for them. */
export interface KafkaClusterTls {
  /** SSL listeners, certificate valid for 127.0.0.1. */
  readonly sslBootstrapServers: string;
  /** SASL_SSL (SCRAM-SHA-512) listeners; present when the cluster has SASL users. */
  readonly saslSslBootstrapServers?: string | undefined;
  /** SSL listeners whose certificate (from the same CA) names another host. */
  readonly otherHostBootstrapServers: string;
  /** The CA that signed the broker certificates (`ssl.ca.location`). */
  readonly caFile: string;
  /** A CA that signed none of them. */
  readonly otherCaFile: string;
  /** The host name the other-host certificate is valid for. */
  readonly wrongHost: string;
}

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => {
            resolve(server);
          });
        }),
    ),
  );
  const ports = servers.map((server) => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return address.port;
  });
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** A Kafka cluster id: 16 random bytes, base64url without padding, not starting with `-`. */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** A running cluster started by this process. */
export class KafkaCluster {
  readonly nodes: readonly KafkaNode[];
  readonly bootstrapServers: string;
  readonly saslBootstrapServers: string | undefined;
  readonly users: readonly ScramUser[];
  readonly tls: KafkaClusterTls | undefined;
  readonly dataDir: string;
  readonly distribution: KafkaDistribution;
  readonly #log: (line: string) => void;
  readonly #startTimeoutMs: number;
  #stopped = false;

  private constructor(init: {
    nodes: KafkaNode[];
    ports: NodePorts[];
    users: readonly ScramUser[];
    certificates: TestCertificates | undefined;
    dataDir: string;
    distribution: KafkaDistribution;
    log: (line: string) => void;
    startTimeoutMs: number;
  }) {
    this.nodes = init.nodes;
    this.bootstrapServers = init.ports.map((p) => `127.0.0.1:${p.plaintext}`).join(',');
    const sasl = init.ports.flatMap((p) => (p.sasl === undefined ? [] : [`127.0.0.1:${p.sasl}`]));
    this.saslBootstrapServers = sasl.length > 0 ? sasl.join(',') : undefined;
    this.users = init.users;
    const list = (pick: (p: NodePorts) => number | undefined): string | undefined => {
      const ports = init.ports.flatMap((p) => {
        const port = pick(p);
        return port === undefined ? [] : [`127.0.0.1:${port}`];
      });
      return ports.length > 0 ? ports.join(',') : undefined;
    };
    const certificates = init.certificates;
    this.tls =
      certificates === undefined
        ? undefined
        : {
            sslBootstrapServers: list((p) => p.tls?.ssl) ?? '',
            saslSslBootstrapServers: list((p) => p.tls?.saslSsl),
            otherHostBootstrapServers: list((p) => p.tls?.otherHost) ?? '',
            caFile: certificates.caFile,
            otherCaFile: certificates.otherCaFile,
            wrongHost: certificates.wrongHost,
          };
    this.dataDir = init.dataDir;
    this.distribution = init.distribution;
    this.#log = init.log;
    this.#startTimeoutMs = init.startTimeoutMs;
  }

  /**
   * Downloads (first time only), configures, formats and starts a cluster, and waits until a client's
   * metadata request lists every node.
   *
   * @param options - size, version, SASL users and JVM settings
   * @returns the running cluster
   * @throws Error with the failing node's log tail when the cluster does not come up; nothing is left running
   */
  static async start(options: KafkaClusterOptions = {}): Promise<KafkaCluster> {
    const log = options.log ?? (() => undefined);
    const size = options.nodes ?? 1;
    const distribution = await ensureKafkaDistribution(options.release ?? releaseFromEnv(), log);
    const { release } = distribution;
    const users = options.sasl?.users ?? [];
    const withSasl = options.sasl !== undefined;
    const withTls = options.tls === true;

    // plaintext, controller, [sasl], [ssl, other host, [sasl_ssl]]
    const perNode = 2 + (withSasl ? 1 : 0) + (withTls ? (withSasl ? 3 : 2) : 0);
    const numbers = await freePorts(size * perNode);
    const ports: NodePorts[] = Array.from({ length: size }, (_, i) => {
      const next = numbers.slice(i * perNode, (i + 1) * perNode);
      const take = (): number => {
        const port = next.shift();
        if (port === undefined) throw new Error('no free ports');
        return port;
      };
      const plaintext = take();
      const controller = take();
      const sasl = withSasl ? take() : undefined;
      const tls = withTls
        ? { ssl: take(), otherHost: take(), saslSsl: withSasl ? take() : undefined }
        : undefined;
      return { plaintext, controller, sasl, tls };
    });
    const voters = ports.map((p, i) => `${i + 1}@127.0.0.1:${p.controller}`).join(',');
    const dataDir = await mkdtemp(join(tmpdir(), 'eclipse-hono-kafka-broker-'));
    const id = clusterId();
    let certificates: TestCertificates | undefined;
    if (withTls) {
      // Inside the first node's folder, which every clean-up path removes (also the owner-death watchdog).
      const dir = join(dataDir, 'node-1', 'tls');
      await mkdir(dir, { recursive: true });
      certificates = await makeTestCertificates(dir, log).catch(async (error: unknown) => {
        await rm(dataDir, { recursive: true, force: true });
        throw error;
      });
    }

    const nodes = await Promise.all(
      ports.map(async (nodePorts, i) => {
        const nodeId = i + 1;
        const dir = join(dataDir, `node-${nodeId}`);
        await mkdir(join(dir, 'data'), { recursive: true });
        const config = renderNodeConfig({
          release,
          nodeId,
          ports: nodePorts,
          quorumVoters: voters,
          clusterSize: size,
          logDir: join(dir, 'data'),
          tls: certificates,
          overrides: options.brokerOverrides,
        });
        const logConfig = renderLogConfig(release);
        await writeFile(join(dir, 'server.properties'), config);
        await writeFile(join(dir, logConfig.fileName), logConfig.text);
        return new KafkaNode({
          nodeId,
          distribution,
          dir,
          heapMb: options.heapMb ?? 384,
          fastStart: options.fastStart ?? true,
          ownerPid: options.ownerPid === undefined ? process.pid : options.ownerPid,
        });
      }),
    );
    const cluster = new KafkaCluster({
      nodes,
      ports,
      users,
      certificates,
      dataDir,
      distribution,
      log,
      startTimeoutMs: options.startTimeoutMs ?? 120_000,
    });

    try {
      log(`Formatting ${size} KRaft node(s), Kafka ${release.version}`);
      await Promise.all(nodes.map((node) => cluster.#format(node, id)));
      for (const node of nodes) node.start();
      await cluster.#waitUntilReady(nodes.map((node) => node.nodeId));
      log(`Kafka ${release.version} ready at ${cluster.bootstrapServers}`);
      return cluster;
    } catch (error) {
      // The error carries the log tail; KAFKA_HARNESS_KEEP_DATA=1 keeps the whole folder for a closer look.
      await cluster.stop({ keepData: process.env['KAFKA_HARNESS_KEEP_DATA'] === '1' });
      throw error;
    }
  }

  async #format(node: KafkaNode, id: string): Promise<void> {
    const scram = this.users.flatMap((user) => [
      '--add-scram',
      `SCRAM-SHA-512=[name=${user.name},password=${user.password}]`,
    ]);
    const args = node.javaArgs('kafka.tools.StorageTool', [
      'format',
      '-t',
      id,
      '-c',
      node.configPath,
      '--ignore-formatted',
      ...scram,
    ]);
    try {
      await run('java', args, { maxBuffer: 16 * 1024 * 1024 });
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      throw new Error(`Formatting node ${node.nodeId} failed:\n${stdout}${stderr}`, { cause: error });
    }
  }

  async #waitUntilReady(nodeIds: readonly number[]): Promise<void> {
    const watched = this.nodes.filter((node) => nodeIds.includes(node.nodeId));
    const abort = Promise.race(
      watched.map((node) =>
        node.exited.then((code) => {
          throw new HarnessAbort(`node ${node.nodeId} exited with code ${String(code)}`);
        }),
      ),
    );
    abort.catch(() => undefined);
    try {
      await waitForBrokers(this.bootstrapServers, nodeIds, Date.now() + this.#startTimeoutMs, abort);
    } catch (error) {
      const tails = watched
        .map((node) => `--- node ${node.nodeId} log tail (${node.logPath}) ---\n${node.logTail()}`)
        .join('\n');
      const reason = error instanceof Error ? error.message : String(error);
      this.#log(`Kafka did not start: ${reason}\n${tails}`);
      throw new Error(`Kafka did not start: ${reason}\n${tails}`, { cause: error });
    }
  }

  /** Finds a node by its id. */
  node(nodeId: number): KafkaNode {
    const node = this.nodes.find((candidate) => candidate.nodeId === nodeId);
    if (node === undefined) throw new Error(`no node ${nodeId}`);
    return node;
  }

  /**
   * SIGKILLs one node, as a crash would.
   *
   * @param nodeId - 1-based node id
   */
  async killNode(nodeId: number): Promise<void> {
    await this.node(nodeId).kill();
  }

  /**
   * Starts a stopped or killed node again on its data (no new format) and waits until the cluster lists it.
   *
   * @param nodeId - 1-based node id
   */
  async restartNode(nodeId: number): Promise<void> {
    const node = this.node(nodeId);
    node.start();
    await this.#waitUntilReady([nodeId]);
  }

  /**
   * Stops every node (SIGTERM, then SIGKILL after a grace time) and removes the data folder.
   *
   * @param options - `keepData` leaves the folder for inspection
   */
  async stop(options: { keepData?: boolean } = {}): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await Promise.all(this.nodes.map((node) => node.stop()));
    if (options.keepData === true) for (const node of this.nodes) node.keepFiles();
    else await rm(this.dataDir, { recursive: true, force: true });
    for (const node of this.nodes) node.releaseWatchdog();
  }

  /** What another process needs to reach or stop this cluster. */
  info(): KafkaClusterInfo {
    return {
      version: this.distribution.release.version,
      bootstrapServers: this.bootstrapServers,
      saslBootstrapServers: this.saslBootstrapServers,
      users: this.users,
      tls: this.tls,
      dataDir: this.dataDir,
      pids: this.nodes.flatMap((node) => (node.pid === undefined ? [] : [node.pid])),
    };
  }
}
