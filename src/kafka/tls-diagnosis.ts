/**
 * Why librdkafka rejected a broker's certificate. librdkafka says only "certificate verify failed", the
 * same for a certificate from an unknown CA and for one that names another host; one TLS handshake from
 * Node.js with the same CA tells which, and what the certificate says.
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { checkServerIdentity, connect, type PeerCertificate } from 'node:tls';

/** What the client trusts and checks, from its librdkafka settings. */
export interface TlsTrust {
  /** `ssl.ca.location`: a PEM file (a folder or `probe` counts as the system's CA store). */
  readonly caLocation?: string | undefined;
  /** `ssl.ca.pem`: PEM text. */
  readonly caPem?: string | undefined;
  /** Whether the host name is checked (`ssl.endpoint.identification.algorithm` is not `none`). */
  readonly checksHostName: boolean;
}

/** The first words of a diagnosis: the failure table recognises them. */
export const diagnosisPrefix = {
  untrusted: 'certificate not trusted:',
  otherHost: 'certificate names another host:',
} as const;

/**
 * The broker address in a librdkafka log line of a TLS listener (`ssl://host:port/bootstrap: ...`).
 *
 * @param message - the log line
 * @returns `host:port`, or undefined
 */
export function tlsBrokerOf(message: string): string | undefined {
  return /^(?:sasl_)?ssl:\/\/([^/\s]+)\//i.exec(message)?.[1];
}

function splitAddress(address: string): { host: string; port: number } | undefined {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(address);
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  return { host: match[1], port: Number(match[2]) };
}

async function trustedCas(trust: TlsTrust): Promise<{ ca: string | undefined; source: string } | undefined> {
  if (trust.caPem !== undefined && trust.caPem !== '') return { ca: trust.caPem, source: 'ssl.ca.pem' };
  const location = trust.caLocation;
  if (location === undefined || location === '' || location === 'probe') {
    return { ca: undefined, source: "the system's CA certificates" };
  }
  try {
    return { ca: await readFile(location, 'utf8'), source: `ssl.ca.location (${location})` };
  } catch {
    return undefined;
  }
}

function names(cert: PeerCertificate): string {
  const alternatives = cert.subjectaltname ?? '';
  return alternatives !== '' ? alternatives : `CN=${String(cert.subject.CN)}`;
}

/**
 * Connects to a broker with Node.js's TLS and the client's CA, and says why its certificate is rejected.
 *
 * @param address - `host:port` of the broker
 * @param trust - the client's CA and host-name check
 * @param timeoutMs - how long the handshake may take
 * @returns a sentence starting with one of {@link diagnosisPrefix}, or undefined when nothing is found
 */
export async function diagnoseCertificate(
  address: string,
  trust: TlsTrust,
  timeoutMs: number,
): Promise<string | undefined> {
  const target = splitAddress(address);
  const cas = await trustedCas(trust);
  if (target === undefined || cas === undefined) return undefined;
  const result = await new Promise<{ cert: PeerCertificate; error: string | undefined } | undefined>(
    (resolve) => {
      const socket = connect({
        host: target.host,
        port: target.port,
        ...(isIP(target.host) === 0 ? { servername: target.host } : {}),
        ...(cas.ca === undefined ? {} : { ca: cas.ca }),
        rejectUnauthorized: false,
        checkServerIdentity: () => undefined,
      });
      const done = (value: { cert: PeerCertificate; error: string | undefined } | undefined): void => {
        clearTimeout(timer);
        socket.destroy();
        resolve(value);
      };
      const timer = setTimeout(() => {
        done(undefined);
      }, timeoutMs);
      socket.once('secureConnect', () => {
        const cert = socket.getPeerCertificate();
        const error = socket.authorizationError as Error | string | null;
        done({ cert, error: error === null ? undefined : String(error) });
      });
      socket.once('error', () => {
        done(undefined);
      });
    },
  );
  if (result === undefined || Object.keys(result.cert).length === 0) return undefined;
  const { cert, error } = result;
  if (error !== undefined) {
    return (
      `${diagnosisPrefix.untrusted} the certificate of ${address} (${names(cert)}, issued by ` +
      `CN=${String(cert.issuer.CN)}) is not signed by a CA in ${cas.source} (${error})`
    );
  }
  if (trust.checksHostName && checkServerIdentity(target.host, cert) !== undefined) {
    return (
      `${diagnosisPrefix.otherHost} the certificate of ${address} is valid for ${names(cert)}, ` +
      `not for ${target.host}`
    );
  }
  return undefined;
}
