// The process configuration, read once from the environment at start and
// validated as a whole: an installer fixing a .env file wants every mistake in
// one message, not one per restart.
import path from 'node:path';
import { availableParallelism, hostname } from 'node:os';
import { z } from 'zod';
import { estimatePasswordStrength } from '../auth/password-strength';
import { DICOM_TLS_VARIABLES, readDicomTls, type DicomTlsConfig } from './dicom-tls';
import { DEFAULT_MAIL_FROM, mailFromSchema, smtpUrlSchema, type MailConfig } from './mail-config';
import { normalizeIpAddress } from '../dicom-peers/peer-host-addresses';

export type { DicomTlsConfig, MailConfig };
import type { StowLimits } from '../../pacs-core/dicomweb/stow-limits';
import { parseStorageUrl } from '../../pacs-core/store/storage-url';

export interface DicomPeer {
  /** Calling/called AE title of the peer (PS3.5 AE: 1-16 chars) */
  aet: string;
  host: string;
  port: number;
  /** Accept its associations from any source address, not only the host's (a deliberate choice) */
  anyAddress: boolean;
  /** DICOM TLS: we send to it over TLS; it may associate only on DICOM_TLS_PORT */
  tls: boolean;
  /** Its TLS associations must present a certificate that chains to DICOM_TLS_CA */
  requireClientCertificate: boolean;
}

export interface DicomLimits {
  /** DICOM_ARTIM_SECONDS: connect → association accepted, else closed (PS3.8 9.1.5) */
  artimMs: number;
  /** DICOM_IDLE_SECONDS: an association with no traffic either way this long is aborted */
  idleMs: number;
  /** DICOM_MAX_ASSOCIATIONS: DIMSE connections open at once */
  maxConnections: number;
  /** DICOM_MAX_ASSOCIATIONS_PER_ADDRESS: DIMSE connections open at once from one address */
  maxConnectionsPerAddress: number;
  /** DICOM_PROXY_PROTOCOL_FROM: TCP balancers whose connections start with a PROXY header naming the modality's address (pacs-core/dimse/proxy-protocol.ts) */
  proxyProtocolFrom: string[];
}

export interface Config {
  /** HTTP port of the portal and DICOMweb (0 = any free port, for tests) */
  port: number;
  /** Absolute directory for the SQLite file, blobs and caches */
  dataDir: string;
  /** undefined = SQLite file in dataDir; otherwise a file: or postgres:// URL */
  databaseUrl: string | undefined;
  databaseKind: 'sqlite' | 'postgres';
  /** DIMSE listening port (0 = any free port, for tests) */
  dicomPort: number;
  /** Our own AE title */
  dicomAet: string;
  /** AEs that may connect, and where to send them images */
  dicomPeers: DicomPeer[];
  /** DICOM TLS (DICOM_TLS_PORT and its files); undefined = off: no TLS listener, no TLS peers */
  dicomTls: DicomTlsConfig | undefined;
  /** The DIMSE door's clocks and caps (pacs-core/dimse/connection-limits.ts) */
  dicomLimits: DicomLimits;
  /** DICOM_MAX_DATASET_MB: the largest C-STORE dataset accepted, in bytes (0xA700 above) */
  dicomMaxDatasetBytes: number;
  /** First administrator, created on the first run (stored lower-case) */
  adminEmail: string;
  /** Unset = a strong password is generated on the first run and printed once */
  adminPassword: string | undefined;
  /** Public base URL for links in messages, without a trailing slash */
  publicUrl: string | undefined;
  /** Honour X-Forwarded-For / X-Forwarded-Proto (only behind a reverse proxy you run) */
  trustProxy: boolean;
  sessionTtlHours: number;
  /** STUN/TURN servers handed to the browsers of a teleconsultation (lib/collab/ice-servers.ts) */
  ice: IceConfig;
  /** STOW-RS: request and part size, uploads in progress per user (pacs-core/dicomweb/stow-limits.ts) */
  stow: StowLimits;
  /** Slow clients on HTTP (lib/server/http-timeouts.ts) */
  http: HttpTimeouts;
  /** JOBS_CONCURRENCY: background jobs this process runs at once (lib/jobs) */
  jobsConcurrency: number;
  /**
   * REGION_PATIENT_ID_ISSUER: the IssuerOfPatientID of the region-wide patient
   * IDs; records carrying one are linked into one person (pacs-core/index/region-patient-link.ts).
   * undefined = no automatic linking.
   */
  regionPatientIdIssuer: string | undefined;
  /** SMTP_URL, MAIL_FROM (lib/config/mail-config.ts); undefined = e-mail off (lib/mail enqueues nothing) */
  mail: MailConfig | undefined;
  /**
   * EMERGENCY_WEBHOOK_URL: an escalated emergency transfer alarm is POSTed here as JSON (a
   * hospital's paging system; lib/transfers/transfer-webhook-job.ts); undefined = off
   */
  emergencyWebhookUrl: string | undefined;
  /**
   * The data bridge (issue 18, lib/hl7): HL7_PORT, the MLLP listener (undefined = off; 0 = any
   * free port, for tests); HL7_SENDERS, sending application^facility pairs (MSH-3^MSH-4) whose
   * messages belong to the home facility; HL7_APPLICATION, our own MSH-3 in ACKs and ORUs
   */
  hl7: Hl7Config;
  /**
   * NODE_NAME: how this node is named to paired nodes and their admins (issue 19, lib/federation),
   * e.g. "University hospital"; default: this machine's host name
   */
  nodeName: string;
  /**
   * Where the archive's files go (issue 20): STORAGE_URL unset = DATA_DIR/store/short on this
   * machine; file:///path = a directory every process sees (NFS, a shared volume); s3://bucket/prefix
   * = an S3-compatible object store (S3_ENDPOINT, S3_REGION; credentials AWS_ACCESS_KEY_ID and
   * AWS_SECRET_ACCESS_KEY or the AWS SDK's other sources)
   */
  storage: StorageConfig;
  /**
   * REDIS_URL (issue 20): the Redis that the processes of this node share (socket.io across
   * processes, live teleconsultation state, the sign-in throttle); undefined = all in this process
   */
  redisUrl: string | undefined;
  /** TELEPACS_WORKERS: processes `npm start` runs behind the one HTTP and DIMSE port (server.ts); 1 = this one */
  workers: number;
}

export type StorageConfig =
  | { kind: 'file'; path: string }
  | { kind: 's3'; bucket: string; prefix: string; endpoint: string | undefined; region: string | undefined };

export interface Hl7Config {
  port: number | undefined;
  senders: { application: string; facility: string }[];
  application: string;
}

export interface HttpTimeouts {
  /** Time to receive a request's headers, from its first byte (or the connection) */
  headersTimeoutMs: number;
  /** A request body that sends nothing for this long while the server waits for it is cut */
  bodyIdleTimeoutMs: number;
  /** An idle keep-alive connection between requests is closed after this */
  keepAliveTimeoutMs: number;
}

/** How browsers authenticate to the TURN server. */
export type TurnCredentials =
  /** coturn `use-auth-secret` + `static-auth-secret`: per-user credentials that expire (the "TURN REST API") */
  | { kind: 'secret'; secret: string }
  /** one long-term username/password shared by every browser (coturn `user=name:password`) */
  | { kind: 'static'; username: string; credential: string };

export interface IceConfig {
  stunUrls: string[];
  turnUrls: string[];
  /** Set whenever turnUrls is not empty (checked at start) */
  turnCredentials: TurnCredentials | undefined;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

// PS3.5 6.2 (AE VR): up to 16 characters of the default repertoire, no
// backslash (the multi-value delimiter) and no control characters; leading and
// trailing spaces are not significant.
const AE_TITLE_PATTERN = /^[\x20-\x5b\x5d-\x7e]{1,16}$/;

export function isValidAeTitle(aet: string): boolean {
  return AE_TITLE_PATTERN.test(aet) && aet.trim().length > 0;
}

const AE_TITLE_HINT = '1-16 characters, no backslash or control characters';

function portSchema(name: string) {
  return z
    .string()
    .regex(/^\d+$/, `${name}: expected a port number 0-65535`)
    .transform(Number)
    .refine((port) => port <= 65535, `${name}: expected a port number 0-65535`);
}

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'on']);
const FALSE_WORDS = new Set(['0', 'false', 'no', 'off']);

// "AET@host:port" then options: "+tls", "+client-cert" (implies +tls),
// "+any-address"; IPv6 hosts in brackets: "PACS@[fd00::5]:104+tls"
const PEER_PATTERN = /^([^@]+)@(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})((?:\+[a-z-]+)*)$/;
const PEER_OPTIONS = ['tls', 'client-cert', 'any-address'] as const;

function parsePeers(value: string, context: z.RefinementCtx): DicomPeer[] {
  const peers: DicomPeer[] = [];
  const seen = new Set<string>();
  for (const entry of value.split(',').map((part) => part.trim()).filter(Boolean)) {
    const match = PEER_PATTERN.exec(entry);
    const port = match ? Number(match[3]) : 0;
    if (!match || port < 1 || port > 65535) {
      context.addIssue({ code: 'custom', message: `DICOM_PEERS: "${entry}" — expected AET@host:port[+tls][+client-cert][+any-address]` });
      continue;
    }
    const options = match[4].split('+').filter(Boolean);
    const unknown = options.filter((option) => !(PEER_OPTIONS as readonly string[]).includes(option));
    if (unknown.length) {
      context.addIssue({ code: 'custom', message: `DICOM_PEERS: "${entry}" — unknown option ${unknown.map((o) => `+${o}`).join(', ')} (known: +tls, +client-cert, +any-address)` });
      continue;
    }
    const aet = match[1].trim();
    if (!isValidAeTitle(match[1])) {
      context.addIssue({ code: 'custom', message: `DICOM_PEERS: "${entry}" — AE title must be ${AE_TITLE_HINT}` });
      continue;
    }
    if (seen.has(aet)) {
      context.addIssue({ code: 'custom', message: `DICOM_PEERS: "${aet}" is listed twice — AE titles identify peers and must be unique` });
      continue;
    }
    seen.add(aet);
    peers.push({
      aet,
      host: match[2].replace(/^\[|\]$/g, ''),
      port,
      anyAddress: options.includes('any-address'),
      tls: options.includes('tls') || options.includes('client-cert'),
      requireClientCertificate: options.includes('client-cert'),
    });
  }
  return peers;
}

function wholeNumber(name: string, min: number, max: number, unit: string) {
  return z
    .string()
    .regex(/^\d+$/, `${name}: expected a whole number of ${unit} between ${min} and ${max}`)
    .transform(Number)
    .refine((value) => value >= min && value <= max, `${name}: expected a whole number of ${unit} between ${min} and ${max}`);
}

// RFC 7064 (stun:/stuns:) and RFC 7065 (turn:/turns:, optional ?transport=):
// scheme ":" host [":" port], no "//" (browsers refuse it). IPv6 in brackets.
const ICE_URL_PATTERN = /^(stuns?|turns?):(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?(\?transport=(?:udp|tcp))?$/;

function iceUrlList(variable: 'STUN_URLS' | 'TURN_URLS', schemes: readonly string[]) {
  const example = variable === 'STUN_URLS' ? 'stun:stun.hospital.example:3478' : 'turn:turn.hospital.example:3478?transport=udp,turns:turn.hospital.example:5349';
  return z.string().transform((value, context) => {
    const urls: string[] = [];
    for (const url of value.split(',').map((part) => part.trim()).filter(Boolean)) {
      const match = ICE_URL_PATTERN.exec(url);
      const port = match?.[3] === undefined ? 1 : Number(match[3]);
      // ?transport= belongs to TURN URLs only (RFC 7064 has no query)
      const valid = match && schemes.includes(match[1]) && port >= 1 && port <= 65535 && !(match[4] && match[1].startsWith('stun'));
      if (!valid) {
        context.addIssue({ code: 'custom', message: `${variable}: "${url}" — expected ${schemes.map((scheme) => `${scheme}:host[:port]`).join(' or ')}, e.g. ${example}` });
        continue;
      }
      if (!urls.includes(url)) urls.push(url);
    }
    return urls;
  });
}

// A weak shared secret lets anyone who guesses it mint TURN credentials and
// relay traffic through the hospital's TURN server.
const MIN_TURN_SECRET_LENGTH = 16;

// The first administrator's password meets the rule every other password
// meets (lib/users/password-rules.ts), checked at start so a weak one stops
// the server with the reason rather than creating a guessable admin account.
function addWeakAdminPasswordIssue(context: z.RefinementCtx, password: string, adminEmail: string | undefined): void {
  const strength = estimatePasswordStrength(password, { email: adminEmail });
  if (!strength.acceptable) {
    context.addIssue({ code: 'custom', path: ['ADMIN_PASSWORD'], message: `ADMIN_PASSWORD: too easy to guess — ${strength.message} (or unset it to have a strong one generated)` });
  }
}

/** Seconds, fractions allowed (tests use short timeouts) */
function seconds(name: string, min: number, max: number) {
  return z
    .string()
    .regex(/^\d+(\.\d+)?$/, `${name}: expected a number of seconds between ${min} and ${max}`)
    .transform(Number)
    .refine((value) => value >= min && value <= max, `${name}: expected a number of seconds between ${min} and ${max}`);
}

const MIB = 1024 * 1024;

const ConfigSchema = z.object({
  PORT: portSchema('PORT').default(3000),
  // prefault (not default): the default goes through the transform, so it is resolved too
  DATA_DIR: z.string().transform((dir) => path.resolve(dir)).prefault('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^(file:.+|postgres(ql)?:\/\/.+)$/, 'DATABASE_URL: expected postgres://user@host:5432/db or file:/path/to.db (or unset for SQLite in DATA_DIR)')
    .optional(),
  DICOM_PORT: portSchema('DICOM_PORT').default(11112),
  DICOM_AET: z
    .string()
    .transform((aet, context) => {
      if (!isValidAeTitle(aet)) {
        context.addIssue({ code: 'custom', message: `DICOM_AET: "${aet}" — AE title must be ${AE_TITLE_HINT}` });
      }
      return aet.trim();
    })
    .default('TELEPACS'),
  DICOM_PEERS: z.string().transform(parsePeers).default([]),
  // Checked by readDicomTls (lib/config/dicom-tls.ts): files are read there
  ...Object.fromEntries(DICOM_TLS_VARIABLES.map((name) => [name, z.string().optional()])) as Record<(typeof DICOM_TLS_VARIABLES)[number], z.ZodOptional<z.ZodString>>,
  // The DIMSE door (README "The DICOM door"): PS3.8's ARTIM is commonly 30 s
  // (DCMTK's default too); 5 min idle outlasts a modality's pause between
  // series yet frees a forgotten association; a facility's modalities and
  // peers hold a few dozen associations at once, so 200 leaves room for
  // bursts while bounding the descriptors and buffers (a C-STORE dataset in
  // flight each) the DICOM port can take from HTTP, the database and the
  // store; 20 per address is more than a modality or PACS opens in parallel.
  DICOM_ARTIM_SECONDS: wholeNumber('DICOM_ARTIM_SECONDS', 1, 600, 'seconds').default(30),
  DICOM_IDLE_SECONDS: wholeNumber('DICOM_IDLE_SECONDS', 1, 86_400, 'seconds').default(300),
  DICOM_MAX_ASSOCIATIONS: wholeNumber('DICOM_MAX_ASSOCIATIONS', 1, 100_000, 'connections').default(200),
  DICOM_MAX_ASSOCIATIONS_PER_ADDRESS: wholeNumber('DICOM_MAX_ASSOCIATIONS_PER_ADDRESS', 1, 100_000, 'connections').default(20),
  // Behind a TCP balancer (issue 20): its addresses, whose connections begin with a PROXY header
  DICOM_PROXY_PROTOCOL_FROM: z
    .string()
    .default('')
    .transform((value, context) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean)
        .map((address) => {
          // The spelling the DICOM door compares a socket's address in (IPv4-mapped IPv6 as IPv4)
          const normalized = normalizeIpAddress(address);
          if (!normalized) context.addIssue({ code: 'custom', message: `DICOM_PROXY_PROTOCOL_FROM: "${address}" is not an IP address (a comma-separated list of the balancers' addresses)` });
          return normalized;
        }),
    ),
  // The same default as STOW_MAX_PART_MB: one instance of up to 2 GiB by either door
  DICOM_MAX_DATASET_MB: wholeNumber('DICOM_MAX_DATASET_MB', 1, 1024 * 1024, 'MiB').default(2048),
  ADMIN_EMAIL: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.email('ADMIN_EMAIL: expected an email address such as admin@hospital.example'))
    .default('admin@telepacs.local'),
  ADMIN_PASSWORD: z
    .string()
    .min(10, 'ADMIN_PASSWORD: must be at least 10 characters (or unset to generate one)')
    .superRefine((password, context) => {
      if (password.length >= 10) addWeakAdminPasswordIssue(context, password, undefined);
    })
    .optional(),
  PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: 'PUBLIC_URL: expected an http(s) URL such as https://pacs.hospital.example' })
    .transform((url) => url.replace(/\/+$/, ''))
    .optional(),
  TRUST_PROXY: z
    .string()
    .transform((value, context) => {
      const word = value.trim().toLowerCase();
      if (TRUE_WORDS.has(word)) return true;
      if (!FALSE_WORDS.has(word)) {
        context.addIssue({ code: 'custom', message: `TRUST_PROXY: "${value}" — expected true or false` });
      }
      return false;
    })
    .default(false),
  SESSION_TTL_HOURS: z
    .string()
    .regex(/^\d+(\.\d+)?$/, 'SESSION_TTL_HOURS: expected a number of hours, e.g. 12')
    .transform(Number)
    .refine((hours) => hours > 0 && hours <= 24 * 90, 'SESSION_TTL_HOURS: expected a number of hours between 0 and 2160')
    .default(12),
  STUN_URLS: iceUrlList('STUN_URLS', ['stun', 'stuns']).default([]),
  TURN_URLS: iceUrlList('TURN_URLS', ['turn', 'turns']).default([]),
  TURN_SECRET: z.string().min(MIN_TURN_SECRET_LENGTH, `TURN_SECRET: use at least ${MIN_TURN_SECRET_LENGTH} characters (coturn's static-auth-secret)`).optional(),
  TURN_USERNAME: z.string().optional(),
  TURN_CREDENTIAL: z.string().optional(),
  // A 3,000-slice CT (1.5 GB) fits in one request; bigger studies go in several
  STOW_MAX_REQUEST_MB: wholeNumber('STOW_MAX_REQUEST_MB', 1, 1024 * 1024, 'MiB').default(4096),
  // Enhanced multi-frame CT/MR and breast tomosynthesis objects reach 1-2 GB
  STOW_MAX_PART_MB: wholeNumber('STOW_MAX_PART_MB', 1, 1024 * 1024, 'MiB').default(2048),
  STOW_CONCURRENT_PER_USER: wholeNumber('STOW_CONCURRENT_PER_USER', 1, 1000, 'requests').default(4),
  HTTP_HEADERS_TIMEOUT_S: seconds('HTTP_HEADERS_TIMEOUT_S', 0.1, 600).default(30),
  HTTP_BODY_IDLE_TIMEOUT_S: seconds('HTTP_BODY_IDLE_TIMEOUT_S', 0.1, 3600).default(60),
  HTTP_KEEPALIVE_TIMEOUT_S: seconds('HTTP_KEEPALIVE_TIMEOUT_S', 0.1, 600).default(5),
  // 0: this process runs no background jobs (another process of the node does)
  JOBS_CONCURRENCY: wholeNumber('JOBS_CONCURRENCY', 0, 64, 'jobs').default(2),
  // An IssuerOfPatientID value (LO, PS3.5 6.2): up to 64 characters, no
  // backslash or control characters; compared after trimming.
  REGION_PATIENT_ID_ISSUER: z
    .string()
    .trim()
    .regex(/^[^\\\x00-\x1f\x7f]{1,64}$/, 'REGION_PATIENT_ID_ISSUER: expected the IssuerOfPatientID (0010,0021) of region-wide patient IDs, e.g. REGION — up to 64 characters, no backslash or control characters')
    .optional(),
  // E-mail (lib/mail): off unless SMTP_URL is set
  SMTP_URL: smtpUrlSchema.optional(),
  MAIL_FROM: mailFromSchema.prefault(DEFAULT_MAIL_FROM),
  // The paging system's endpoint for escalated emergency transfer alarms (issue 17)
  EMERGENCY_WEBHOOK_URL: z
    .url({ protocol: /^https?$/, error: 'EMERGENCY_WEBHOOK_URL: expected an http(s) URL, e.g. https://paging.hospital.example/telepacs' })
    .optional(),
  // The data bridge (issue 18): HL7 v2 over MLLP, off unless HL7_PORT is set
  HL7_PORT: portSchema('HL7_PORT').optional(),
  HL7_SENDERS: z.string().transform(parseHl7Senders).default([]),
  HL7_APPLICATION: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_.-]{1,20}$/, 'HL7_APPLICATION: expected 1–20 letters, digits, _ . or - (our MSH-3)')
    .default('TELEPACS'),
  // Telediagnostics between nodes (issue 19): this node's name as its peers show it
  NODE_NAME: z
    .string()
    .trim()
    .regex(/^[^\x00-\x1f\x7f]{1,80}$/, 'NODE_NAME: expected 1–80 characters without control characters, e.g. University hospital')
    .optional(),
  // Scale-out (issue 20): a store every process of the node sees
  STORAGE_URL: z
    .string()
    .trim()
    .transform((url, context) => {
      try {
        return parseStorageUrl(url);
      } catch (error) {
        context.addIssue({ code: 'custom', message: `STORAGE_URL: ${(error as Error).message.replace(/^storage URL /, '')}` });
        return z.NEVER;
      }
    })
    .optional(),
  S3_ENDPOINT: z
    .string()
    .trim()
    .regex(/^https?:\/\/[^/?#]+\/?$/, 'S3_ENDPOINT: expected http(s)://host[:port] of an S3-compatible server (unset for AWS S3)')
    .optional(),
  S3_REGION: z.string().trim().regex(/^[a-z0-9-]{1,40}$/, 'S3_REGION: expected a region name such as eu-central-1').optional(),
  REDIS_URL: z
    .string()
    .trim()
    .regex(/^rediss?:\/\/[^\s]+$/, 'REDIS_URL: expected redis://[:password@]host:6379[/db] or rediss:// for TLS')
    .optional(),
  TELEPACS_WORKERS: z
    .string()
    .trim()
    .transform((raw, context) => {
      if (raw === 'auto') return availableParallelism();
      const count = /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
      if (!(count >= 1 && count <= 64)) {
        context.addIssue({ code: 'custom', message: `TELEPACS_WORKERS: "${raw}" — expected auto (one per core) or 1–64` });
        return z.NEVER;
      }
      return count;
    })
    .default(1),
}).superRefine((values, context) => {
  // Once the field alone is fine: not guessable from ADMIN_EMAIL either.
  if (values.ADMIN_PASSWORD !== undefined) addWeakAdminPasswordIssue(context, values.ADMIN_PASSWORD, values.ADMIN_EMAIL);
  // Rules across the TURN variables: a TURN server is useless to a browser without
  // credentials, and two kinds of credentials would leave it unclear which is meant.
  const problem = (variable: string, message: string) => context.addIssue({ code: 'custom', path: [variable], message: `${variable}: ${message}` });
  // Several processes share the database, the live state and the rooms: PostgreSQL and Redis
  if (values.TELEPACS_WORKERS > 1 && !values.DATABASE_URL?.startsWith('postgres')) problem('TELEPACS_WORKERS', 'several processes need PostgreSQL (DATABASE_URL=postgres://…): SQLite is one process\'s database');
  if (values.TELEPACS_WORKERS > 1 && !values.REDIS_URL) problem('TELEPACS_WORKERS', 'several processes need REDIS_URL (socket.io rooms and live teleconsultations across processes)');
  const hasStatic = values.TURN_USERNAME !== undefined || values.TURN_CREDENTIAL !== undefined;
  if (values.TURN_SECRET !== undefined && hasStatic) {
    problem('TURN_SECRET', 'set either TURN_SECRET (coturn use-auth-secret) or TURN_USERNAME and TURN_CREDENTIAL, not both');
  } else if (hasStatic && values.TURN_USERNAME === undefined) {
    problem('TURN_USERNAME', 'TURN_CREDENTIAL is set but TURN_USERNAME is not');
  } else if (hasStatic && values.TURN_CREDENTIAL === undefined) {
    problem('TURN_CREDENTIAL', 'TURN_USERNAME is set but TURN_CREDENTIAL is not');
  }
  if (
    typeof values.DICOM_MAX_ASSOCIATIONS_PER_ADDRESS === 'number' &&
    typeof values.DICOM_MAX_ASSOCIATIONS === 'number' &&
    values.DICOM_MAX_ASSOCIATIONS_PER_ADDRESS > values.DICOM_MAX_ASSOCIATIONS
  ) {
    problem('DICOM_MAX_ASSOCIATIONS_PER_ADDRESS', `must not exceed DICOM_MAX_ASSOCIATIONS (${values.DICOM_MAX_ASSOCIATIONS})`);
  }
  // A mail is read elsewhere: its link must name the address users reach Telepacs by, not a Host of a request
  if (values.SMTP_URL !== undefined && values.PUBLIC_URL === undefined) {
    problem('PUBLIC_URL', 'required when SMTP_URL is set: the links in e-mails start with it, e.g. https://pacs.hospital.example');
  }
  const turnUrls = Array.isArray(values.TURN_URLS) ? values.TURN_URLS : [];
  if (turnUrls.length && values.TURN_SECRET === undefined && !hasStatic) {
    problem('TURN_URLS', 'set TURN_SECRET (coturn use-auth-secret) or TURN_USERNAME and TURN_CREDENTIAL: browsers need credentials for a TURN server');
  }
  if (!turnUrls.length && (values.TURN_SECRET !== undefined || hasStatic)) {
    problem('TURN_URLS', 'TURN credentials are set but no TURN server: list it, e.g. turn:turn.hospital.example:3478');
  }
});

type ConfigVariable = keyof typeof ConfigSchema.shape;

/** process.env, or a plain object in tests (Next's types make NODE_ENV required on ProcessEnv). */
export type Environment = NodeJS.ProcessEnv | Readonly<Record<string, string | undefined>>;

/** Validates the environment; throws ConfigError naming every invalid variable. */
export function loadConfig(env: Environment): Config {
  // docker-compose and systemd files often carry `NAME=` lines: empty means unset.
  const input: Partial<Record<ConfigVariable, string>> = {};
  for (const name of Object.keys(ConfigSchema.shape) as ConfigVariable[]) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') input[name] = value;
  }
  const result = ConfigSchema.safeParse(input);
  const dicomTls = readDicomTls(input);
  const problems = [
    ...(result.error?.issues ?? []).map((issue) => {
      const variable = String(issue.path[0] ?? '');
      // Our messages start with the variable name; zod's built-in ones do not.
      return issue.message.startsWith(`${variable}:`) ? issue.message : `${variable}: ${issue.message}`;
    }),
    ...dicomTls.problems,
  ];
  if (result.success) problems.push(...dicomTlsConsistency(result.data.DICOM_PEERS, result.data.DICOM_PORT, dicomTls.tls, input.DICOM_TLS_PORT !== undefined));
  if (!result.success || problems.length) throw new ConfigError([...new Set(problems)]);
  const values = result.data;
  return {
    port: values.PORT,
    dataDir: values.DATA_DIR,
    databaseUrl: values.DATABASE_URL,
    databaseKind: values.DATABASE_URL?.startsWith('postgres') ? 'postgres' : 'sqlite',
    dicomPort: values.DICOM_PORT,
    dicomAet: values.DICOM_AET,
    dicomPeers: values.DICOM_PEERS,
    dicomTls: dicomTls.tls,
    dicomLimits: {
      artimMs: values.DICOM_ARTIM_SECONDS * 1000,
      idleMs: values.DICOM_IDLE_SECONDS * 1000,
      maxConnections: values.DICOM_MAX_ASSOCIATIONS,
      maxConnectionsPerAddress: values.DICOM_MAX_ASSOCIATIONS_PER_ADDRESS,
      proxyProtocolFrom: values.DICOM_PROXY_PROTOCOL_FROM,
    },
    dicomMaxDatasetBytes: values.DICOM_MAX_DATASET_MB * MIB,
    adminEmail: values.ADMIN_EMAIL,
    adminPassword: values.ADMIN_PASSWORD,
    publicUrl: values.PUBLIC_URL,
    trustProxy: values.TRUST_PROXY,
    sessionTtlHours: values.SESSION_TTL_HOURS,
    ice: {
      stunUrls: values.STUN_URLS,
      turnUrls: values.TURN_URLS,
      turnCredentials:
        values.TURN_SECRET !== undefined
          ? { kind: 'secret', secret: values.TURN_SECRET }
          : values.TURN_USERNAME !== undefined && values.TURN_CREDENTIAL !== undefined
            ? { kind: 'static', username: values.TURN_USERNAME, credential: values.TURN_CREDENTIAL }
            : undefined,
    },
    stow: {
      maxRequestBytes: values.STOW_MAX_REQUEST_MB * MIB,
      maxPartBytes: values.STOW_MAX_PART_MB * MIB,
      concurrentPerUser: values.STOW_CONCURRENT_PER_USER,
      retryAfterSeconds: 5,
    },
    http: {
      headersTimeoutMs: Math.round(values.HTTP_HEADERS_TIMEOUT_S * 1000),
      bodyIdleTimeoutMs: Math.round(values.HTTP_BODY_IDLE_TIMEOUT_S * 1000),
      keepAliveTimeoutMs: Math.round(values.HTTP_KEEPALIVE_TIMEOUT_S * 1000),
    },
    jobsConcurrency: values.JOBS_CONCURRENCY,
    regionPatientIdIssuer: values.REGION_PATIENT_ID_ISSUER,
    mail:
      values.SMTP_URL && values.PUBLIC_URL
        ? { smtp: values.SMTP_URL, from: values.MAIL_FROM, linkBase: values.PUBLIC_URL }
        : undefined,
    emergencyWebhookUrl: values.EMERGENCY_WEBHOOK_URL,
    hl7: { port: values.HL7_PORT, senders: values.HL7_SENDERS, application: values.HL7_APPLICATION },
    nodeName: values.NODE_NAME ?? hostname(),
    storage:
      values.STORAGE_URL?.kind === 's3'
        ? { ...values.STORAGE_URL, endpoint: values.S3_ENDPOINT, region: values.S3_REGION }
        : { kind: 'file', path: values.STORAGE_URL?.path ?? path.join(values.DATA_DIR, 'store', 'short') },
    redisUrl: values.REDIS_URL,
    workers: values.TELEPACS_WORKERS,
  };
}

/** HL7_SENDERS: "RIS^HOSPITAL,HIS^HOSPITAL" → sending application and facility pairs (MSH-3^MSH-4). */
function parseHl7Senders(raw: string, context: z.RefinementCtx): { application: string; facility: string }[] {
  const senders: { application: string; facility: string }[] = [];
  for (const entry of raw.split(',').map((part) => part.trim()).filter(Boolean)) {
    const match = /^([^\^|~&]{1,180})\^([^\^|~&]{1,180})$/.exec(entry);
    if (!match) {
      context.addIssue({ code: 'custom', message: `HL7_SENDERS: "${entry}" — expected APPLICATION^FACILITY (MSH-3^MSH-4), e.g. RIS^HOSPITAL` });
      continue;
    }
    const sender = { application: match[1].trim(), facility: match[2].trim() };
    if (senders.some((known) => known.application === sender.application && known.facility === sender.facility)) {
      context.addIssue({ code: 'custom', message: `HL7_SENDERS: "${entry}" is listed twice` });
      continue;
    }
    senders.push(sender);
  }
  return senders;
}

/** TLS peers need the TLS port; the two DICOM ports must differ. */
function dicomTlsConsistency(peers: readonly DicomPeer[], dicomPort: number, tls: DicomTlsConfig | undefined, tlsPortSet: boolean): string[] {
  const problems: string[] = [];
  const tlsPeers = peers.filter((peer) => peer.tls).map((peer) => peer.aet);
  if (tlsPeers.length && !tlsPortSet) {
    problems.push(`DICOM_PEERS: ${tlsPeers.join(', ')} ${tlsPeers.length > 1 ? 'use' : 'uses'} +tls or +client-cert, but DICOM TLS is off — set DICOM_TLS_PORT, DICOM_TLS_CERT, DICOM_TLS_KEY and DICOM_TLS_CA`);
  }
  if (tls && tls.port !== 0 && tls.port === dicomPort) problems.push(`DICOM_TLS_PORT: ${tls.port} is DICOM_PORT too — the TLS listener needs its own port (e.g. 2762)`);
  return problems;
}
