// Expected failures of administration operations, each with words for the
// person at the keyboard (and, for forms, per field). Anything else is a bug:
// the route logs it and answers with a generic message.
import type { z } from 'zod';
import { DomainError } from '../errors';

export type AdminErrorCode =
  | 'INVALID_INPUT' // a form field is wrong; `fields` says which and why
  | 'CONFLICT' // e.g. the email or AE title is taken
  | 'NOT_ALLOWED' // e.g. disabling oneself
  | 'LINK_INVALID' // unknown one-time link
  | 'LINK_EXPIRED'
  | 'LINK_USED';

/** A domain error (lib/errors) whose answer always carries `fields` (the admin forms read them). */
export class AdminError extends DomainError {
  override readonly name = 'AdminError';
  declare readonly code: AdminErrorCode;
  declare readonly fields: Record<string, string>;
  constructor(code: AdminErrorCode, message: string, fields: Record<string, string> = {}) {
    super(code, message, { fields });
  }
}

export function isAdminError(error: unknown): error is AdminError {
  return error instanceof AdminError;
}

/**
 * The first message per field of a failed zod parse, as an INVALID_INPUT error.
 * A field inside a list (a template's sections) is also named by its whole
 * path, e.g. `sections.1.key`, so a form can show the message beside that input;
 * the top-level name always carries one too, for forms that know only those.
 */
export function invalidInput(error: z.ZodError): AdminError {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'form');
    fields[field] ??= issue.message;
    if (issue.path.length > 1) fields[issue.path.map(String).join('.')] ??= issue.message;
  }
  return new AdminError('INVALID_INPUT', 'Some fields need attention.', fields);
}

/** Parses with the schema or throws INVALID_INPUT naming each wrong field. */
export function parseInput<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const result = schema.safeParse(input);
  if (!result.success) throw invalidInput(result.error);
  return result.data;
}
