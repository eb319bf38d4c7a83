/**
 * Who acts: every domain operation takes it and decides access itself (the
 * route only names it). `ip` is for the audit trail.
 */
export interface Principal {
  userId: string;
  email: string;
  ip: string;
}
