import type { Config } from '../config/env';
import type { CustomDomain } from '../db/entities/custom-domain';
import type { Orm } from '../db/orm';
import {
  addDomain,
  listDomains,
  removeDomain,
  requiredRecords,
  verifyDomain,
} from '../domain/custom-domain/custom-domains';
import { createResolver } from '../domain/custom-domain/dns-records';
import { accountByEmail } from './accounts';

function domainJson(config: Config, domain: CustomDomain) {
  return {
    name: domain.name,
    verified: domain.verifiedAt !== null,
    verified_at: domain.verifiedAt,
    created_at: domain.createdAt,
    records: requiredRecords(config, domain),
  };
}

/** `domain add`: adds a custom domain and prints the records to publish. */
export async function domainAdd(orm: Orm, config: Config, email: string, name: string) {
  const em = orm.em.fork();
  const account = await accountByEmail(em, email);
  const { domain } = await addDomain(em, config, account, name);
  return domainJson(config, domain);
}

/** `domain verify`: looks the records up; the exit code is 1 until both are right. */
export async function domainVerify(orm: Orm, config: Config, email: string, name: string) {
  const em = orm.em.fork();
  const account = await accountByEmail(em, email);
  const resolver = createResolver(config.dnsServers);
  const result = await verifyDomain(em, config, resolver, account, name, new Date());
  if (!result.verified) process.exitCode = 1;
  return {
    ...domainJson(config, result.domain),
    // Spelled as GraphQL spells them.
    txt: result.report.txt.toUpperCase(),
    mx: result.report.mx.toUpperCase(),
    problems: result.report.problems,
  };
}

/** `domain list`: the account's custom domains. */
export async function domainList(orm: Orm, config: Config, email: string) {
  const em = orm.em.fork();
  const domains = await listDomains(em, await accountByEmail(em, email));
  return domains.map((domain) => domainJson(config, domain));
}

/** `domain remove`: removes a custom domain and deletes its inboxes. */
export async function domainRemove(orm: Orm, email: string, name: string) {
  const em = orm.em.fork();
  const removed = await removeDomain(em, await accountByEmail(em, email), name, new Date());
  return { removed };
}
