/**
 * Assembles an Apache Kafka broker from Maven Central jars into a cache that later runs reuse.
 *
 * Kafka publishes its broker as `org.apache.kafka:kafka_2.13`; its runtime dependencies come
 * transitively, the SLF4J logging binding does not. Maven's `dependency:copy-dependencies` puts all jars
 * into one folder, which is then the broker's class path.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The Kafka lines the harness knows how to run. */
export type KafkaLine = '4.1' | '3.9';

/** What the harness needs to know about one pinned Kafka release. */
export interface KafkaRelease {
  readonly line: KafkaLine;
  readonly version: string;
  /** How the broker logs: log4j2 (4.x) or reload4j (3.x). */
  readonly logging: 'log4j2' | 'reload4j';
  /** Extra Maven artifacts (`group:artifact:version`) the broker needs to log. */
  readonly extraArtifacts: readonly string[];
}

/** Pinned releases. 4.1 is the default; `KAFKA_VERSION=3.9` switches. */
export const kafkaReleases: Readonly<Record<KafkaLine, KafkaRelease>> = {
  '4.1': {
    line: '4.1',
    version: '4.1.2',
    logging: 'log4j2',
    extraArtifacts: ['org.apache.logging.log4j:log4j-slf4j-impl:2.25.3'],
  },
  '3.9': {
    line: '3.9',
    version: '3.9.2',
    logging: 'reload4j',
    extraArtifacts: ['org.slf4j:slf4j-reload4j:1.7.36', 'ch.qos.reload4j:reload4j:1.2.25'],
  },
};

/** A Kafka release whose jars are on disk. */
export interface KafkaDistribution {
  readonly release: KafkaRelease;
  /** The folder of jars: the broker's class path is `<libDir>/*`. */
  readonly libDir: string;
}

/** The folder that keeps downloaded jars between runs (`KAFKA_HARNESS_CACHE` overrides it). */
export function harnessCacheDir(): string {
  return process.env['KAFKA_HARNESS_CACHE'] ?? join(homedir(), '.cache', 'eclipse-hono-kafka');
}

/** Reads the Kafka line from `KAFKA_VERSION` (`4.1`, `3.9`, or a full version of one of them). */
export function releaseFromEnv(value = process.env['KAFKA_VERSION']): KafkaRelease {
  if (value === undefined || value === '') return kafkaReleases['4.1'];
  const line = value.split('.').slice(0, 2).join('.');
  if (line !== '4.1' && line !== '3.9') {
    throw new Error(`KAFKA_VERSION=${value}: the harness runs Kafka 4.1 or 3.9`);
  }
  return kafkaReleases[line];
}

function pom(release: KafkaRelease): string {
  const dependency = (coordinates: string): string => {
    const [groupId, artifactId, version] = coordinates.split(':');
    return `    <dependency><groupId>${groupId}</groupId><artifactId>${artifactId}</artifactId><version>${version}</version></dependency>`;
  };
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>eclipse-hono-kafka.harness</groupId>
  <artifactId>kafka-broker</artifactId>
  <version>${release.version}</version>
  <packaging>pom</packaging>
  <dependencies>
${[`org.apache.kafka:kafka_2.13:${release.version}`, ...release.extraArtifacts].map(dependency).join('\n')}
  </dependencies>
</project>
`;
}

/**
 * Returns the jars of a pinned Kafka release, downloading them with Maven on first use.
 *
 * @param release - the release to assemble
 * @param log - receives one line of progress when a download starts
 * @returns the cached distribution
 * @throws Error when Maven fails; its output is in the message
 */
export async function ensureKafkaDistribution(
  release: KafkaRelease,
  log: (line: string) => void = () => undefined,
): Promise<KafkaDistribution> {
  const home = join(harnessCacheDir(), `kafka-${release.version}`);
  const libDir = join(home, 'libs');
  if (existsSync(join(home, 'complete'))) return { release, libDir };

  log(`Downloading Apache Kafka ${release.version} from Maven Central into ${home} (first run only)`);
  await mkdir(harnessCacheDir(), { recursive: true });
  const work = await mkdtemp(join(harnessCacheDir(), `.kafka-${release.version}-`));
  try {
    await writeFile(join(work, 'pom.xml'), pom(release));
    try {
      await run(
        'mvn',
        [
          '-B',
          '-q',
          '-f',
          join(work, 'pom.xml'),
          'dependency:copy-dependencies',
          `-DoutputDirectory=${join(work, 'libs')}`,
          '-DincludeScope=runtime',
        ],
        { maxBuffer: 64 * 1024 * 1024 },
      );
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      throw new Error(`mvn could not assemble Kafka ${release.version}:\n${stdout}${stderr}`, {
        cause: error,
      });
    }
    const jars = (await readdir(join(work, 'libs'))).filter((name) => name.endsWith('.jar'));
    if (!jars.some((name) => name.startsWith('kafka_2.13-'))) {
      throw new Error(`mvn finished but no kafka_2.13 jar is in ${join(work, 'libs')}`);
    }
    await writeFile(join(work, 'complete'), `${jars.length} jars\n`);
    // Another run may have finished the same download meanwhile: keep the first complete copy.
    if (!existsSync(join(home, 'complete'))) {
      await rm(home, { recursive: true, force: true });
      await rename(work, home);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return { release, libDir };
}
