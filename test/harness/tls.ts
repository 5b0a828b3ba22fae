/**
 * Test certificates made with `openssl`: a CA, a broker certificate for 127.0.0.1 signed by it, a
 * certificate for another host name signed by the same CA (for host-name checks), and a second CA that
 * signed nothing the broker uses (for "wrong CA" tests). Keys are EC P-256: quick to generate.
 *
 * Kafka reads the broker's key and chain as PEM (`ssl.keystore.type=PEM`), so no Java keystore is needed.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A private key and its certificate chain (leaf first), both PEM. */
export interface PemKeyPair {
  readonly key: string;
  readonly chain: string;
}

/** The files and PEM texts of one set of test certificates. */
export interface TestCertificates {
  /** The CA that signed the broker's certificates: what a client passes as `ssl.ca.location`. */
  readonly caFile: string;
  /** A CA that signed none of them: a client that trusts only this one must reject the broker. */
  readonly otherCaFile: string;
  /** The broker's certificate, valid for IP 127.0.0.1. */
  readonly broker: PemKeyPair;
  /** A certificate signed by the same CA for `wrongHost` only: valid, but not for 127.0.0.1. */
  readonly otherHost: PemKeyPair;
  /** The only name in {@link TestCertificates.otherHost}. */
  readonly wrongHost: string;
}

const wrongHost = 'not-this-broker.invalid';

/** Whether a command runs (`command -v`). */
function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes sure `openssl` is there, installing Debian's `openssl` package as root on a fresh machine.
 *
 * @param log - one line when it installs
 * @throws Error saying what to install when it is missing and cannot be installed
 */
export async function ensureOpenssl(log: (line: string) => void = () => undefined): Promise<void> {
  if (hasCommand('openssl')) return;
  const root = process.getuid?.() === 0;
  if (root && hasCommand('apt-get')) {
    log('openssl is missing: installing the Debian package openssl');
    try {
      await run('apt-get', ['install', '-y', '--no-install-recommends', 'openssl'], {
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
        maxBuffer: 16 * 1024 * 1024,
      }).catch(async () => {
        // A fresh machine may have no package lists yet.
        await run('apt-get', ['update'], { maxBuffer: 16 * 1024 * 1024 });
        await run('apt-get', ['install', '-y', '--no-install-recommends', 'openssl'], {
          env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
          maxBuffer: 16 * 1024 * 1024,
        });
      });
    } catch (error) {
      throw new Error('openssl is missing and `apt-get install openssl` failed; install openssl', {
        cause: error,
      });
    }
    if (hasCommand('openssl')) return;
  }
  throw new Error('The TLS listeners need the openssl command: install it (Debian: apt-get install openssl)');
}

async function openssl(dir: string, args: readonly string[]): Promise<void> {
  try {
    await run('openssl', [...args], { cwd: dir });
  } catch (error) {
    const { stderr = '' } = error as { stderr?: string };
    throw new Error(`openssl ${args[0] ?? ''} failed: ${stderr}`, { cause: error });
  }
}

const days = '30';
const curve = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function makeCa(dir: string, name: string, subject: string): Promise<void> {
  await openssl(dir, [
    'req',
    '-x509',
    ...curve,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.pem`,
    '-days',
    days,
    '-subj',
    subject,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
}

async function makeLeaf(dir: string, name: string, ca: string, altNames: string): Promise<PemKeyPair> {
  await writeFile(
    join(dir, `${name}.ext`),
    `subjectAltName=${altNames}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n`,
  );
  await openssl(dir, [
    'req',
    ...curve,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/CN=${name}`,
  ]);
  await openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.pem`,
    '-CAkey',
    `${ca}.key`,
    // Its own random serial: leaves are signed in parallel, so no shared serial file.
    '-set_serial',
    `0x${randomBytes(8).toString('hex')}`,
    '-out',
    `${name}.pem`,
    '-days',
    days,
    '-extfile',
    `${name}.ext`,
  ]);
  const [key, leaf, caPem] = await Promise.all(
    [`${name}.key`, `${name}.pem`, `${ca}.pem`].map((file) => readFile(join(dir, file), 'utf8')),
  );
  return { key: key ?? '', chain: `${leaf ?? ''}${caPem ?? ''}` };
}

/**
 * Generates the test certificates into a folder (about 0.2 s).
 *
 * @param dir - an existing folder, removed with the cluster
 * @param log - progress lines
 * @returns the files and PEM texts
 */
export async function makeTestCertificates(
  dir: string,
  log: (line: string) => void = () => undefined,
): Promise<TestCertificates> {
  await ensureOpenssl(log);
  await Promise.all([
    makeCa(dir, 'ca', '/CN=eclipse-hono-kafka test CA'),
    makeCa(dir, 'other-ca', '/CN=eclipse-hono-kafka unrelated CA'),
  ]);
  const [broker, otherHost] = await Promise.all([
    makeLeaf(dir, 'broker', 'ca', 'IP:127.0.0.1'),
    makeLeaf(dir, 'other-host', 'ca', `DNS:${wrongHost}`),
  ]);
  return {
    caFile: join(dir, 'ca.pem'),
    otherCaFile: join(dir, 'other-ca.pem'),
    broker,
    otherHost,
    wrongHost,
  };
}
