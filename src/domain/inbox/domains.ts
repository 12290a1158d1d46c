import type { EntityManager } from '@mikro-orm/postgresql';

import type { Config } from '../../config/env';
import type { Account } from '../../db/entities/account';
import { normaliseDomain } from '../../lib/domain-name';
import { AppError } from '../../lib/errors';
import { isVerifiedDomain, verifiedDomainNames } from '../custom-domain/custom-domains';

/**
 * The domains an account may create inboxes on: the primary for free accounts; every
 * shared domain, then the account's verified custom domains, for premium accounts.
 */
export async function availableDomains(
  em: EntityManager,
  config: Config,
  account: Account,
): Promise<string[]> {
  if (account.plan !== 'premium') return [config.primaryDomain];
  return [...config.domains, ...(await verifiedDomainNames(em, account.id))];
}

/** Checks that the account may use the domain; returns its normal form. */
export async function chooseDomain(
  em: EntityManager,
  config: Config,
  account: Account,
  requested: string | undefined,
): Promise<string> {
  if (requested === undefined) return config.primaryDomain;

  const domain = normaliseDomain(requested);
  if ((await availableDomains(em, config, account)).includes(domain)) return domain;
  // A free account owning a verified domain (after a downgrade) is told why, too.
  const premiumOnly =
    config.domains.includes(domain) || (await verifiedDomainNames(em, account.id)).includes(domain);
  if (premiumOnly) {
    throw new AppError('PREMIUM_REQUIRED', 'Only premium accounts may use this domain');
  }
  throw new AppError('DOMAIN_NOT_AVAILABLE', 'This domain is not available to this key');
}

/** True when mail for this domain is ours to take: a shared or a verified custom domain. */
export async function isOwnDomain(
  em: EntityManager,
  config: Config,
  domain: string,
): Promise<boolean> {
  return config.domains.includes(domain) || isVerifiedDomain(em, domain);
}
