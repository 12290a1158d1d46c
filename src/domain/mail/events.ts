/** PostgreSQL channel on which stored mail is announced. */
export const EMAIL_RECEIVED_CHANNEL = 'email_received';

/** Announced once per stored email, after its transaction commits. */
export interface EmailReceivedEvent {
  emailId: string;
  inboxId: string;
  accountId: string;
}

/** Reads a NOTIFY payload; undefined when it is not one of ours. */
export function parseEmailReceived(payload: string | undefined): EmailReceivedEvent | undefined {
  if (!payload) return undefined;
  try {
    const value = JSON.parse(payload) as Partial<EmailReceivedEvent>;
    const { emailId, inboxId, accountId } = value;
    if (typeof emailId !== 'string' || typeof inboxId !== 'string') return undefined;
    if (typeof accountId !== 'string') return undefined;
    return { emailId, inboxId, accountId };
  } catch {
    return undefined;
  }
}
