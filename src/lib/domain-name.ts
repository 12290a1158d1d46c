import { domainToASCII } from 'node:url';

import { ValidationError } from './errors';

/** RFC 1035 section 2.3.4: 255 octets on the wire, so 253 characters written out. */
const MAX_NAME_CHARS = 253;
const MAX_LABEL_CHARS = 63;

/** Lower-case IDNA ASCII form of a domain typed in Unicode or punycode. */
export function normaliseDomain(input: string): string {
  const ascii = domainToASCII(input.trim().toLowerCase().replace(/\.$/, ''));
  const tooLong =
    ascii.length > MAX_NAME_CHARS || ascii.split('.').some((l) => l.length > MAX_LABEL_CHARS);
  if (!ascii || tooLong) throw new ValidationError('domain is not a valid domain name');
  return ascii;
}

/** A letter-digit-hyphen label (RFC 1123 section 2.1); punycode labels are of this form. */
const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/**
 * True for a name that can be a mail domain on the public DNS: two labels or more, each a
 * host label, a top-level label that is not all digits (so no IP address), and not
 * `localhost` (RFC 6761 section 6.3).
 */
export function isPublicHostName(ascii: string): boolean {
  const labels = ascii.split('.');
  const top = labels.at(-1) ?? '';
  return (
    labels.length >= 2 &&
    labels.every((label) => HOST_LABEL.test(label)) &&
    !/^\d+$/.test(top) &&
    top !== 'localhost'
  );
}
