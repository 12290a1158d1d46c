import { domainToASCII } from 'node:url';

import { ValidationError } from './errors';

/** Lower-case IDNA ASCII form of a domain typed in Unicode or punycode. */
export function normaliseDomain(input: string): string {
  const ascii = domainToASCII(input.trim().toLowerCase().replace(/\.$/, ''));
  if (!ascii) throw new ValidationError('domain is not a valid domain name');
  return ascii;
}
