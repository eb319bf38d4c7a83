// Expected failures of administration operations, each with words for the
// person at the keyboard (and, for forms, per field). Anything else is a bug:
// the route logs it and answers with a generic message.
import type { z } from 'zod';

export type AdminErrorCode =
  | 'INVALID_INPUT' // a form field is wrong; `fields` says which and why
  | 'CONFLICT' // e.g. the email or AE title is taken
  | 'NOT_ALLOWED' // e.g. disabling oneself
  | 'LINK_INVALID' // unknown one-time link
  | 'LINK_EXPIRED'
  | 'LINK_USED';

export class AdminError extends Error {
  override readonly name = 'AdminError';
  constructor(
    readonly code: AdminErrorCode,
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function isAdminError(error: unknown): error is AdminError {
  return error instanceof AdminError;
}

/** The first message per field of a failed zod parse, as an INVALID_INPUT error. */
export function invalidInput(error: z.ZodError): AdminError {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'form');
    fields[field] ??= issue.message;
  }
  return new AdminError('INVALID_INPUT', 'Some fields need attention.', fields);
}

/** Parses with the schema or throws INVALID_INPUT naming each wrong field. */
export function parseInput<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const result = schema.safeParse(input);
  if (!result.success) throw invalidInput(result.error);
  return result.data;
}
