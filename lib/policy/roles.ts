// Membership roles (Membership.role is a validated string: SQLite has no enums).
// PRIVACY_OFFICER (issue 16) is not clinical: told of every emergency override
// touching the facility and reviews them (lib/policy/override-access.ts); a
// member with that role alone reads the facility's studies like any member,
// but stores nothing and may not open emergency access.
export const ROLES = ['ADMIN', 'REFERRING', 'EXPERT', 'EMERGENCY', 'PRIVACY_OFFICER'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

// Every clinical role brings images into its facility for now (a referring
// doctor uploads a CD, an emergency team the images of a transfer). Kept as a
// list so that a read-only role later is one edit here.
export const ROLES_THAT_MAY_STORE: readonly Role[] = ['ADMIN', 'REFERRING', 'EXPERT', 'EMERGENCY'];
