import type { CustomDomain } from '../../db/entities/custom-domain';
import {
  addDomain,
  listDomains,
  removeDomain,
  type RequiredRecord,
  requiredRecords,
  verifyDomain,
  type VerifyResult,
} from '../../domain/custom-domain/custom-domains';
import type { RecordState } from '../../domain/custom-domain/dns-records';
import { requireAccount } from '../../graphql/context';
import { builder } from '../builder';

const DnsRecordRef = builder.objectRef<RequiredRecord>('DnsRecord').implement({
  description: 'A DNS record the domain must publish.',
  fields: (t) => ({
    type: t.exposeString('type', { description: 'TXT or MX.' }),
    name: t.exposeString('name', { description: 'The owner name: the domain itself.' }),
    value: t.exposeString('value', { description: 'The TXT text or the MX host.' }),
  }),
});

/** A premium account's own domain and the DNS records it must publish. */
export const CustomDomainRef = builder.objectRef<CustomDomain>('CustomDomain').implement({
  description: 'A domain a premium account brings; it takes mail once verified.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name', { description: 'IDNA ASCII, lower case.' }),
    verified: t.boolean({
      description: 'Whether the domain takes mail; it stays verified once it was.',
      resolve: (d) => d.verifiedAt !== null,
    }),
    verifiedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When DNS first showed both records; null until then.',
      resolve: (d) => d.verifiedAt,
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (d) => d.createdAt }),
    records: t.field({
      type: [DnsRecordRef],
      description: 'What to publish: the verification TXT record and the MX record.',
      resolve: (d, _args, ctx) => requiredRecords(ctx.config, d),
    }),
  }),
});

const RecordStateEnum = builder.enumType('DnsRecordState', {
  description: 'What the DNS lookup found for one required record.',
  values: {
    OK: { value: 'ok' },
    MISSING: { value: 'missing' },
    WRONG: { value: 'wrong' },
  } as const satisfies Record<string, { value: RecordState }>,
});

const VerifyDomainPayloadRef = builder.objectRef<VerifyResult>('VerifyDomainPayload').implement({
  description: 'What a DNS check found, and whether the domain is verified.',
  fields: (t) => ({
    domain: t.field({ type: CustomDomainRef, resolve: (r) => r.domain }),
    verified: t.exposeBoolean('verified', {
      description:
        'Whether the domain is verified; once verified it stays so, whatever DNS shows later.',
    }),
    txt: t.field({ type: RecordStateEnum, resolve: (r) => r.report.txt }),
    mx: t.field({ type: RecordStateEnum, resolve: (r) => r.report.mx }),
    problems: t.stringList({
      description: 'One sentence per record that is missing or wrong; empty when verified.',
      resolve: (r) => r.report.problems,
    }),
  }),
});

builder.queryField('domains', (t) =>
  t.field({
    type: [CustomDomainRef],
    description: "The account's custom domains, verified or not, by name.",
    resolve: (_root, _args, ctx) => listDomains(ctx.em, requireAccount(ctx)),
  }),
);

builder.mutationField('addDomain', (t) =>
  t.field({
    type: CustomDomainRef,
    description:
      'Adds a custom domain (premium) and gives the records to publish; again returns the same.',
    args: { name: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) =>
      (await addDomain(ctx.em, ctx.config, requireAccount(ctx), args.name)).domain,
  }),
);

builder.mutationField('verifyDomain', (t) =>
  t.field({
    type: VerifyDomainPayloadRef,
    description: "Looks up the domain's TXT and MX records; verified when both are right.",
    args: { name: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) =>
      verifyDomain(ctx.em, ctx.config, ctx.resolver, requireAccount(ctx), args.name, ctx.now()),
  }),
);

builder.mutationField('removeDomain', (t) =>
  t.string({
    description: 'Removes a custom domain and deletes its inboxes. Returns the name.',
    args: { name: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => removeDomain(ctx.em, requireAccount(ctx), args.name, ctx.now()),
  }),
);
