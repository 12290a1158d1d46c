import { domainToASCII } from 'node:url';

import type { Config, Plan } from '../../config/env';
import { AppError, ValidationError } from '../../lib/errors';

/** Lower-case IDNA ASCII form of a domain typed in Unicode or punycode. */
export function normaliseDomain(input: string): string {
  const ascii = domainToASCII(input.trim().toLowerCase().replace(/\.$/, ''));
  if (!ascii) throw new ValidationError('domain is not a valid domain name');
  return ascii;
}

/** The domains an account on this plan may create inboxes on, primary first. */
export function availableDomains(config: Config, plan: Plan): string[] {
  return plan === 'premium' ? [...config.domains] : [config.primaryDomain];
}

/** Checks that the plan may use the domain; returns its normal form. */
export function chooseDomain(config: Config, plan: Plan, requested: string | undefined): string {
  if (requested === undefined) return config.primaryDomain;

  const domain = normaliseDomain(requested);
  if (availableDomains(config, plan).includes(domain)) return domain;
  if (config.domains.includes(domain)) {
    throw new AppError('PREMIUM_REQUIRED', 'Only premium accounts may use this domain');
  }
  throw new AppError('DOMAIN_NOT_AVAILABLE', 'This domain is not available to this key');
}

/** True when mail for this domain is ours to take. */
export function isOwnDomain(config: Config, domain: string): boolean {
  return config.domains.includes(domain);
}
