export { AccountSchema } from './account';
export { ApiKeySchema } from './api-key';
export { AttachmentSchema } from './attachment';
export { BaseSchema } from './base';
export { EmailSchema } from './email';
export { InboxSchema } from './inbox';
export { RawMessageSchema } from './raw-message';
export { UsageSchema } from './usage';
