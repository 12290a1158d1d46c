import type { ErrorCode } from './error-codes';

/** How one error code shows on each transport. */
export interface ErrorTransportForm {
  httpStatus: number;
  /** SMTP reply: 4xx asks the sender to retry, 5xx is final. */
  smtpReply: number;
}

/** The one table that turns a code into every transport's form. */
export const ERROR_MAPPING: Readonly<Record<ErrorCode, ErrorTransportForm>> = {
  INVALID_JSON: { httpStatus: 400, smtpReply: 501 },
  VALIDATION_ERROR: { httpStatus: 400, smtpReply: 501 },
  INVALID_USERNAME: { httpStatus: 400, smtpReply: 501 },
  UNAUTHORIZED: { httpStatus: 401, smtpReply: 530 },
  PREMIUM_REQUIRED: { httpStatus: 403, smtpReply: 550 },
  NOT_FOUND: { httpStatus: 404, smtpReply: 550 },
  METHOD_NOT_ALLOWED: { httpStatus: 405, smtpReply: 502 },
  ADDRESS_TAKEN: { httpStatus: 409, smtpReply: 550 },
  DOMAIN_TAKEN: { httpStatus: 409, smtpReply: 550 },
  PAYLOAD_TOO_LARGE: { httpStatus: 413, smtpReply: 552 },
  UNSUPPORTED_MEDIA_TYPE: { httpStatus: 415, smtpReply: 554 },
  DOMAIN_NOT_AVAILABLE: { httpStatus: 422, smtpReply: 550 },
  RATE_LIMITED: { httpStatus: 429, smtpReply: 451 },
  STORAGE_UNAVAILABLE: { httpStatus: 503, smtpReply: 451 },
  DNS_UNAVAILABLE: { httpStatus: 503, smtpReply: 451 },
  INTERNAL: { httpStatus: 500, smtpReply: 451 },
};

/** True for any string that names a known code. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_MAPPING, value);
}
