import type { ErrorCode } from './error-codes';

interface AppErrorOptions {
  details?: Record<string, unknown>;
  cause?: unknown;
  expose?: boolean;
}

/** Base of every error the service raises on purpose; `message` is safe to show a client. */
export class AppError extends Error {
  readonly details: Record<string, unknown> | undefined;
  readonly expose: boolean;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details;
    this.expose = options.expose ?? true;
  }
}

/** Something the caller asked for does not exist for them. */
export class NotFoundError extends AppError {
  constructor(message: string) {
    super('NOT_FOUND', message);
  }

  static inbox(): NotFoundError {
    return new NotFoundError('Inbox not found');
  }

  static email(): NotFoundError {
    return new NotFoundError('Email not found');
  }

  static attachment(): NotFoundError {
    return new NotFoundError('Attachment not found');
  }
}

/** The input has the wrong shape or value. */
export class ValidationError extends AppError {
  constructor(message: string, code: ErrorCode = 'VALIDATION_ERROR') {
    super(code, message);
  }
}

/** The request clashes with what exists. */
export class ConflictError extends AppError {
  static addressTaken(): ConflictError {
    return new ConflictError('ADDRESS_TAKEN', 'This address is taken');
  }

  static domainTaken(): ConflictError {
    return new ConflictError('DOMAIN_TAKEN', 'This domain is verified by another account');
  }
}

/** A dependency (the database) is down; the caller may retry. */
export class UnavailableError extends AppError {
  constructor(cause: unknown) {
    super('STORAGE_UNAVAILABLE', 'Storage is unavailable, try again later', { cause });
  }
}
