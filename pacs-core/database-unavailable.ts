// Is this error "the database is not there right now" (restart, failover,
// network, connection limit) rather than a fault of the request or a bug?
// Such an error is answered retryably by every transport — HTTP 503 with
// Retry-After, DIMSE 0xA700 — through pacs-core/errors.ts (issue 20: the
// PostgreSQL restart drill, test/integration/database-outage.test.ts).
//
// It arrives in several shapes: from Prisma's client (P1001 "can't reach",
// P1008 timeout, P1017 closed, P2037 too many connections, or P2010 "raw query
// failed" whose driver-adapter error names the kind or the SQLSTATE), and from
// the `pg` driver directly (pacs-core's index writer and lock connections):
// socket errors, SQLSTATE class 08 and 57P0x, or "Connection terminated".

const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2037']);
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
// 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now, 53300 too_many_connections; class 08: connection exception
const SQL_STATES = new Set(['57P01', '57P02', '57P03', '53300']);
const MESSAGES =
  /Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|Can't reach database server|Server has closed the connection|terminating connection due to administrator command|the database system is (shutting down|starting up|in recovery mode)/;

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  kind?: unknown;
  meta?: { driverAdapterError?: unknown };
}

function isUnavailableSqlState(code: unknown): boolean {
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && (code.startsWith('08') || SQL_STATES.has(code));
}

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (error === null || typeof error !== 'object' || depth > 6) return false;
  const candidate = error as ErrorLike;
  if (candidate.name === 'PrismaClientInitializationError') return true;
  if (typeof candidate.code === 'string' && (PRISMA_CODES.has(candidate.code) || SOCKET_CODES.has(candidate.code) || isUnavailableSqlState(candidate.code))) return true;
  // A driver adapter's error ({ cause: { kind, code } }) as Prisma attaches it, or as it is
  if (typeof candidate.kind === 'string') {
    if (ADAPTER_KINDS.has(candidate.kind)) return true;
    if (candidate.kind === 'postgres' && isUnavailableSqlState(candidate.code)) return true;
  }
  if (typeof candidate.message === 'string' && MESSAGES.test(candidate.message)) return true;
  return isDatabaseUnavailable(candidate.meta?.driverAdapterError, depth + 1) || isDatabaseUnavailable(candidate.cause, depth + 1);
}

/** Seconds a client is told to wait before trying again (Retry-After) */
export const DATABASE_RETRY_AFTER_SECONDS = 5;
