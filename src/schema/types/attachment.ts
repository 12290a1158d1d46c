import DataLoader from 'dataloader';

import { type AttachmentInfo, listAttachments } from '../../domain/mail/message-queries';
import type { GraphQLContext } from '../../graphql/context';
import { builder } from '../builder';

/** An attachment or inline part of an email, described; its bytes come from a REST route. */
export const AttachmentRef = builder.objectRef<AttachmentInfo>('Attachment').implement({
  description: 'A decoded attachment or inline part of an email; REST serves its content.',
  fields: (t) => ({
    id: t.exposeID('id'),
    filename: t.exposeString('filename', {
      nullable: true,
      description: 'As the sender named it; null when unnamed.',
    }),
    contentType: t.exposeString('contentType'),
    size: t.exposeInt('size', { description: 'Size of the decoded content in bytes.' }),
    contentId: t.exposeString('contentId', {
      nullable: true,
      description: 'Content-ID without angle brackets, for cid: links in the HTML body.',
    }),
    inline: t.exposeBoolean('inline', {
      description: 'True for a part shown within the body rather than attached to it.',
    }),
    checksum: t.exposeString('checksum', {
      description: 'SHA-256 of the decoded content, in hex.',
    }),
  }),
});

// One loader per request or websocket operation. Kept here rather than on the context so the
// context factory needs no change; the WeakMap lets it go with its context.
const loaders = new WeakMap<GraphQLContext, DataLoader<string, AttachmentInfo[]>>();

/** Batches the attachment lists of every email a request resolves into one query. */
export function attachmentsLoader(ctx: GraphQLContext): DataLoader<string, AttachmentInfo[]> {
  const existing = loaders.get(ctx);
  if (existing) return existing;

  // No cache: a subscription context lives for hours, and batching is all that is needed.
  const loader = new DataLoader<string, AttachmentInfo[]>(
    async (emailIds) => {
      const byEmail = await listAttachments(ctx.em, emailIds);
      return emailIds.map((id) => byEmail.get(id) ?? []);
    },
    { cache: false },
  );
  loaders.set(ctx, loader);
  return loader;
}
