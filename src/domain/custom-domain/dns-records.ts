import { Resolver } from 'node:dns/promises';

/** What a domain must publish before DustMail takes mail for it. */
export interface ExpectedRecords {
  /** The domain, in IDNA ASCII form. */
  name: string;
  /** Published as a TXT record on the domain itself: `dustmail-verification=<token>`. */
  token: string;
  /** The host the domain's MX record must point at. */
  mxHost: string;
}

/** The state of one required record. */
export type RecordState = 'ok' | 'missing' | 'wrong';

/** The verdict on a domain's DNS, with one sentence per record that is not right. */
export interface DnsReport {
  txt: RecordState;
  mx: RecordState;
  problems: string[];
}

const TXT_PREFIX = 'dustmail-verification=';

/** The text of the TXT record that proves an account controls a domain. */
export function verificationText(token: string): string {
  return `${TXT_PREFIX}${token}`;
}
/** Errors that mean "no such record" rather than "the lookup failed". */
const NO_RECORD_CODES = new Set(['ENODATA', 'ENOTFOUND']);

/** A resolver on the given servers (`ip` or `ip:port`), or the system's when none. */
export function createResolver(servers: readonly string[], timeoutMs = 3000): Resolver {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 2 });
  if (servers.length > 0) resolver.setServers([...servers]);
  return resolver;
}

async function lookup<T>(query: () => Promise<T[]>): Promise<T[]> {
  try {
    return await query();
  } catch (err) {
    if (NO_RECORD_CODES.has((err as NodeJS.ErrnoException).code ?? '')) return [];
    throw err;
  }
}

const sameHost = (a: string, b: string): boolean =>
  a.toLowerCase().replace(/\.$/, '') === b.toLowerCase().replace(/\.$/, '');

/**
 * Looks up the verification TXT record and the MX record of a domain and says precisely
 * which is missing or wrong. A failed lookup (timeout, refused) throws: it proves nothing.
 */
export async function checkDomainDns(
  resolver: Resolver,
  expected: ExpectedRecords,
): Promise<DnsReport> {
  const [txtRecords, mxRecords] = await Promise.all([
    lookup(() => resolver.resolveTxt(expected.name)),
    lookup(() => resolver.resolveMx(expected.name)),
  ]);
  const problems: string[] = [];

  // A TXT record may be split into several strings (RFC 7208 section 3.3); they join.
  const ours = txtRecords.map((parts) => parts.join('')).filter((t) => t.startsWith(TXT_PREFIX));
  const wanted = verificationText(expected.token);
  let txt: RecordState = 'ok';
  if (ours.length === 0) {
    txt = 'missing';
    problems.push(`No TXT record "${wanted}" on ${expected.name}`);
  } else if (!ours.includes(wanted)) {
    txt = 'wrong';
    problems.push(`The TXT record on ${expected.name} has another token; expected "${wanted}"`);
  }

  let mx: RecordState = 'ok';
  if (mxRecords.length === 0) {
    mx = 'missing';
    problems.push(`No MX record on ${expected.name}; point it at ${expected.mxHost}`);
  } else if (!mxRecords.some((record) => sameHost(record.exchange, expected.mxHost))) {
    mx = 'wrong';
    const found = mxRecords.map((record) => record.exchange).join(', ');
    problems.push(`The MX record of ${expected.name} points at ${found}, not ${expected.mxHost}`);
  }

  return { txt, mx, problems };
}
