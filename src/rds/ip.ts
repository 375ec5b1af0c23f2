import { isIP } from 'node:net';
import { CruddurError, usageError } from '../core/errors.js';
import type { Logger } from '../core/output.js';

export type IpFamily = 4 | 6;

export interface PublicIp {
  address: string;
  family: IpFamily;
  /** Where it came from: `--ip`, `GITPOD_IP`, or the echo service's URL. */
  source: string;
}

/** checkip.amazonaws.com first (AWS's own, plain text), then ipify as a fallback. */
export const DEFAULT_IP_SERVICES = ['https://checkip.amazonaws.com', 'https://api.ipify.org'];
export const DEFAULT_IP_TIMEOUT_MS = 3000;

/**
 * An address in canonical form, or undefined when the text is not one. IPv6 is compressed and
 * lower-cased (the form EC2 returns), and an IPv4-mapped IPv6 address becomes plain IPv4.
 */
export function parseIp(text: string): { address: string; family: IpFamily } | undefined {
  const value = text.trim();
  const family = isIP(value);
  if (family === 4) return { address: value, family: 4 };
  if (family !== 6) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(value);
  if (mapped?.[1] && isIP(mapped[1]) === 4) return { address: mapped[1], family: 4 };
  return { address: new URL(`http://[${value}]/`).hostname.slice(1, -1), family: 6 };
}

export interface DetectIpOptions {
  /** --ip */
  ip?: string;
  env: Readonly<Record<string, string | undefined>>;
  /** --ip-service, in order; default DEFAULT_IP_SERVICES. */
  services?: string[];
  timeoutMs?: number;
  logger: Logger;
  fetch?: typeof globalThis.fetch;
}

/** `--ip`, else GITPOD_IP, else the first echo service that answers with an address in time. */
export async function detectPublicIp(options: DetectIpOptions): Promise<PublicIp> {
  if (options.ip !== undefined) {
    const parsed = parseIp(options.ip);
    if (!parsed) throw usageError(`--ip ${JSON.stringify(options.ip)} is not an IPv4 or IPv6 address`, 'pass an address such as 203.0.113.7 or 2001:db8::7');
    return { ...parsed, source: '--ip' };
  }
  const gitpod = options.env.GITPOD_IP?.trim();
  if (gitpod) {
    const parsed = parseIp(gitpod);
    if (!parsed) {
      throw new CruddurError(`GITPOD_IP ${JSON.stringify(gitpod.slice(0, 60))} is not an IPv4 or IPv6 address`, {
        suggestion: 'unset GITPOD_IP to detect the address, or pass --ip',
        code: 'RDS_BAD_IP',
      });
    }
    return { ...parsed, source: 'GITPOD_IP' };
  }
  const services = options.services && options.services.length > 0 ? options.services : DEFAULT_IP_SERVICES;
  const timeoutMs = options.timeoutMs ?? DEFAULT_IP_TIMEOUT_MS;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const failures: string[] = [];
  for (const url of services) {
    try {
      const address = await askService(fetchImpl, url, timeoutMs);
      options.logger.debug(`public IP ${address.address} from ${url}`);
      return { ...address, source: url };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      failures.push(`${url}: ${reason}`);
      options.logger.debug(`IP echo service ${url} failed: ${reason}`);
    }
  }
  throw new CruddurError(`Could not detect the public IP address (${failures.join('; ')})`, {
    suggestion: 'pass it with --ip <address> (or set GITPOD_IP), or point --ip-service at an echo service your network allows',
    code: 'RDS_NO_IP',
  });
}

async function askService(fetchImpl: typeof globalThis.fetch, url: string, timeoutMs: number): Promise<{ address: string; family: IpFamily }> {
  let response: Response;
  let body: string;
  try {
    response = await fetchImpl(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'text/plain' }, redirect: 'follow' });
    body = await response.text();
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'TimeoutError' || name === 'AbortError') throw new Error(`no answer within ${timeoutMs} ms`);
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(cause?.code ?? cause?.message ?? (error as Error).message);
  }
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const parsed = parseIp(body);
  if (!parsed) throw new Error(`answer is not an IP address (${JSON.stringify(body.trim().slice(0, 40))})`);
  return parsed;
}
