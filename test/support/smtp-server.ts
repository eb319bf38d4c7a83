// A real SMTP server for tests: Debian's python3-aiosmtpd (.ci/run installs
// it) with the handler in smtp_capture.py, which writes every accepted
// message, parsed, to a directory. Tests wait for messages by polling that
// directory (bounded), never by sleeping a fixed time.
import { spawnSync } from 'node:child_process';
import { PYTHON, startPythonCapture, supportDir, type CaptureServer } from './python-capture';

/** Whether python3-aiosmtpd is installed (tests skip with a message outside CI when it is not). */
export function hasAiosmtpd(): boolean {
  return spawnSync(PYTHON, ['-c', 'import aiosmtpd'], { stdio: 'ignore' }).status === 0;
}

export interface ReceivedMail {
  /** The envelope: MAIL FROM and RCPT TO */
  mailFrom: string;
  rcptTos: string[];
  /** Decoded headers, in order */
  headers: [string, string][];
  /** The decoded text/plain and text/html bodies */
  text: string | null;
  html: string | null;
  /** The message as it came over the wire */
  raw: string;
}

export function header(mail: ReceivedMail, name: string): string | undefined {
  return mail.headers.find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
}

export interface SmtpServer extends CaptureServer<ReceivedMail> {
  /** smtp://127.0.0.1:<port> */
  readonly url: string;
}

/**
 * An SMTP server on a free port of 127.0.0.1. `listening: false` reserves the
 * port without listening (a relay that is down) until start().
 */
export async function startSmtpServer(options: { listening?: boolean } = {}): Promise<SmtpServer> {
  const server = await startPythonCapture<ReceivedMail>({
    name: 'aiosmtpd',
    where: 'at the SMTP server',
    debianPackage: 'python3-aiosmtpd',
    directoryPrefix: 'telepacs-smtp-',
    command: (port, directory) => ({
      args: ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'smtp_capture.CaptureHandler', directory],
      env: { PYTHONPATH: supportDir },
    }),
    waitTimeoutMs: 15_000,
    listening: options.listening,
  });
  return Object.assign(server, { url: `smtp://127.0.0.1:${server.port}` });
}
