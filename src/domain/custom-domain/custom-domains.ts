import { randomBytes } from 'node:crypto';
import type { Resolver } from 'node:dns/promises';

import { type EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';

import type { Config } from '../../config/env';
import type { Account } from '../../db/entities/account';
import { CustomDomain } from '../../db/entities/custom-domain';
import { Inbox } from '../../db/entities/inbox';
import { isPublicHostName, normaliseDomain } from '../../lib/domain-name';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../../lib/errors';
import { checkDomainDns, type DnsReport, verificationText } from './dns-records';

const TOKEN_BYTES = 16;

/** What an account must publish for a domain it added. */
export interface DomainInstructions {
  domain: CustomDomain;
  /** The TXT record, on the domain itself. */
  txtRecord: { name: string; value: string };
  /** Where the domain's MX record must point. */
  mxHost: string;
}

/** The outcome of a verification: the domain, and what DNS still lacks when it failed. */
export interface VerifyResult {
  domain: CustomDomain;
  /** Whether the domain is verified now (it stays so once it was). */
  verified: boolean;
  report: DnsReport;
}

/** A DNS record a custom domain must publish. */
export interface RequiredRecord {
  type: 'TXT' | 'MX';
  name: string;
  value: string;
}

/** The records a domain must publish: the verification TXT record and the MX record. */
export function requiredRecords(config: Config, domain: CustomDomain): RequiredRecord[] {
  return [
    { type: 'TXT', name: domain.name, value: verificationText(domain.token) },
    { type: 'MX', name: domain.name, value: config.mxHost },
  ];
}

function instructions(config: Config, domain: CustomDomain): DomainInstructions {
  return {
    domain,
    txtRecord: { name: domain.name, value: verificationText(domain.token) },
    mxHost: config.mxHost,
  };
}

async function ownedDomain(em: EntityManager, account: Account, name: string) {
  const domain = await em.findOne(CustomDomain, { owner: account.id, name: normaliseDomain(name) });
  if (!domain) throw new NotFoundError('Domain not found');
  return domain;
}

async function verifiedByAnother(em: EntityManager, name: string, account: Account) {
  const owners = { name, verifiedAt: { $ne: null }, owner: { $ne: account.id } };
  return (await em.count(CustomDomain, owners)) > 0;
}

/**
 * Adds a domain for a premium account, or returns the one it added before, with the
 * records to publish. A shared domain, or one another account has verified, is refused.
 */
export async function addDomain(
  em: EntityManager,
  config: Config,
  account: Account,
  rawName: string,
): Promise<DomainInstructions> {
  if (account.plan !== 'premium') {
    throw new AppError('PREMIUM_REQUIRED', 'Only premium accounts may add domains');
  }
  const name = normaliseDomain(rawName);
  if (!isPublicHostName(name)) {
    throw new ValidationError('domain must be a public host name such as brand.example');
  }
  const within = (parent: string): boolean => name === parent || name.endsWith(`.${parent}`);
  if (config.domains.some(within) || within(config.mxHost)) {
    throw new AppError('DOMAIN_NOT_AVAILABLE', 'This domain belongs to this DustMail server');
  }
  if (await verifiedByAnother(em, name, account)) throw ConflictError.domainTaken();

  const existing = await em.findOne(CustomDomain, { owner: account.id, name });
  if (existing) return instructions(config, existing);

  const domain = new CustomDomain(account, name, randomBytes(TOKEN_BYTES).toString('hex'));
  try {
    await em.persistAndFlush(domain);
  } catch (err) {
    if (!(err instanceof UniqueConstraintViolationException)) throw err;
    // The same account added the same name at the same moment: the first row stands.
    const first = await em.fork().findOneOrFail(CustomDomain, { owner: account.id, name });
    return instructions(config, first);
  }
  return instructions(config, domain);
}

/** Looks up the domain's TXT and MX records and marks it verified when both are right. */
export async function verifyDomain(
  em: EntityManager,
  config: Config,
  resolver: Resolver,
  account: Account,
  name: string,
  now: Date,
): Promise<VerifyResult> {
  const domain = await ownedDomain(em, account, name);
  if (await verifiedByAnother(em, domain.name, account)) throw ConflictError.domainTaken();
  const expected = { name: domain.name, token: domain.token, mxHost: config.mxHost };
  let report: DnsReport;
  try {
    report = await checkDomainDns(resolver, expected);
  } catch (cause) {
    throw new AppError('DNS_UNAVAILABLE', 'The DNS lookup failed; try again later', { cause });
  }
  // Once verified, a domain stays verified: a later check only reports what DNS shows now.
  if (report.problems.length > 0) return { domain, verified: domain.verifiedAt !== null, report };

  domain.verifiedAt ??= now;
  try {
    await em.flush();
  } catch (err) {
    // Another account verified the same name first (partial unique index).
    if (err instanceof UniqueConstraintViolationException) throw ConflictError.domainTaken();
    throw err;
  }
  return { domain, verified: true, report };
}

/** Removes a domain and returns its name; its inboxes are deleted (addresses stay taken). */
export async function removeDomain(
  em: EntityManager,
  account: Account,
  name: string,
  now: Date,
): Promise<string> {
  const domain = await ownedDomain(em, account, name);
  await em.transactional(async (txn) => {
    await txn.nativeUpdate(
      Inbox,
      { account: account.id, domain: domain.name, deletedAt: null },
      { deletedAt: now },
    );
    await txn.nativeDelete(CustomDomain, { id: domain.id });
  });
  return domain.name;
}

/** The account's domains, verified or not, by name. */
export function listDomains(em: EntityManager, account: Account): Promise<CustomDomain[]> {
  return em.find(CustomDomain, { owner: account.id }, { orderBy: { name: 'asc' } });
}

/** The names of the account's verified domains, which it may create inboxes on. */
export async function verifiedDomainNames(em: EntityManager, accountId: string): Promise<string[]> {
  const domains = await em.find(
    CustomDomain,
    { owner: accountId, verifiedAt: { $ne: null } },
    { orderBy: { name: 'asc' } },
  );
  return domains.map((domain) => domain.name);
}

/** True when some account has verified this domain (IDNA ASCII, lower case). */
export async function isVerifiedDomain(em: EntityManager, name: string): Promise<boolean> {
  return (await em.count(CustomDomain, { name, verifiedAt: { $ne: null } })) > 0;
}
