export { DOMAIN_ERROR_STATUS, DomainError, domainErrorStatus, isDomainError, type DomainErrorCode, type DomainErrorOptions } from './domain-error';
// The archive's errors keep their own family and transport mappers (pacs-core/errors.ts);
// the portal's HTTP mapper reaches them through here (app → lib → pacs-core).
export { asArchiveError, isArchiveError, toHttpStatus as archiveHttpStatus } from '../../pacs-core/errors';
