import type { Account } from '../../db/entities/account';
import type { QuotaState } from '../../domain/account/quota';
import { availableDomains } from '../../domain/inbox/domains';
import { requireAccount } from '../../graphql/context';
import { builder } from '../builder';

export const PlanEnum = builder.enumType('Plan', {
  description: 'What an account may do; see the plan table in the README.',
  values: { FREE: { value: 'free' }, PREMIUM: { value: 'premium' } } as const,
});

export const QuotaRef = builder.objectRef<QuotaState>('Quota').implement({
  description: "Today's request quota (UTC day), counting the current request.",
  fields: (t) => ({
    limit: t.int({
      nullable: true,
      description: 'Requests allowed per UTC day; null when unlimited.',
      resolve: (q) => q.limit,
    }),
    used: t.exposeInt('used', { description: 'Requests made today, this one included.' }),
    remaining: t.int({
      nullable: true,
      description: 'Requests left today; null when unlimited.',
      resolve: (q) => (q.limit === null ? null : Math.max(0, q.limit - q.used)),
    }),
    resetsAt: t.field({
      type: 'DateTime',
      description: 'When the counter starts again (next UTC midnight).',
      resolve: (q) => q.resetAt,
    }),
  }),
});

export const AccountRef = builder.objectRef<Account>('Account').implement({
  description: 'The account that owns the API key of the request.',
  fields: (t) => ({
    id: t.exposeID('id'),
    email: t.exposeString('email'),
    plan: t.field({ type: PlanEnum, resolve: (a) => a.plan }),
    createdAt: t.field({ type: 'DateTime', resolve: (a) => a.createdAt }),
    quota: t.field({
      type: QuotaRef,
      description: "Today's quota, counting this request.",
      resolve: (_a, _args, ctx) => {
        if (!ctx.quota) throw new Error('quota missing for an authenticated request');
        return ctx.quota;
      },
    }),
    availableDomains: t.stringList({
      description: 'The domains this key may create inboxes on, primary first.',
      resolve: (a, _args, ctx) => availableDomains(ctx.em, ctx.config, a),
    }),
  }),
});

builder.queryField('me', (t) =>
  t.field({
    type: AccountRef,
    description: 'The account of the API key.',
    resolve: (_root, _args, ctx) => requireAccount(ctx),
  }),
);
