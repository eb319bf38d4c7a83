// The TURN credentials a browser gets in its JOIN answer, against a real
// coturn (Debian `coturn`, the TURN server the README recommends to
// hospitals) configured as documented: use-auth-secret + static-auth-secret.
// turnutils_uclient allocates a relay with them and sends data through it to
// turnutils_peer; wrong or expired credentials get no allocation.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { iceServersFor, turnRestCredentials } from '../../lib/collab/ice-servers';
import { loadConfig } from '../../lib/config/config';
import { freePort, stopProcess, waitUntil } from '../support/dcmtk';

const TURN_SECRET = 'coturn-integration-secret';
const hasCoturn = ['/usr/bin/turnserver', '/usr/bin/turnutils_uclient', '/usr/bin/turnutils_peer'].every((tool) => existsSync(tool));
// .ci/run installs coturn; elsewhere the test is skipped when it is missing
const skip = hasCoturn ? undefined : 'needs coturn (apt-get install -y coturn)';

function run(command: string, args: string[], timeoutMs = 15_000): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('TURN REST credentials against coturn', { skip }, () => {
  let turnPort: number;
  let peerPort: number;
  let turnserver: ChildProcess;
  let peer: ChildProcess;
  let turnLog = '';

  before(async () => {
    turnPort = await freePort();
    peerPort = await freePort();
    turnserver = spawn(
      'turnserver',
      [
        '-n', // no configuration file: everything on the command line
        '--use-auth-secret',
        `--static-auth-secret=${TURN_SECRET}`,
        '--realm=telepacs.test',
        '--listening-ip=127.0.0.1',
        '--relay-ip=127.0.0.1',
        `--listening-port=${turnPort}`,
        '--no-tls',
        '--no-dtls',
        '--no-cli',
        '--allow-loopback-peers',
        '--log-file=stdout',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    turnserver.stdout?.on('data', (chunk: Buffer) => (turnLog += chunk.toString()));
    peer = spawn('turnutils_peer', ['-p', String(peerPort), '-L', '127.0.0.1'], { stdio: 'ignore' });
    await waitUntil('turnserver', async () => /IO method \(main listener thread\)/.test(turnLog), 10_000, () => turnserver.exitCode === null);
  });
  after(async () => {
    await Promise.all([turnserver && stopProcess(turnserver, 2_000), peer && stopProcess(peer, 2_000)]);
  });

  /** A relay allocated with these credentials carries data to the peer and back. */
  function relayWith(username: string, credential: string) {
    return run('turnutils_uclient', ['-n', '3', '-m', '1', '-l', '100', '-e', '127.0.0.1', '-r', String(peerPort), '-u', username, '-w', credential, '-p', String(turnPort), '127.0.0.1']);
  }

  it('relays through coturn with the credentials a browser gets', async () => {
    const config = loadConfig({ TURN_URLS: `turn:127.0.0.1:${turnPort}`, TURN_SECRET });
    const [turn] = iceServersFor(config, 'cuser-1', new Date());
    const { code, output } = await relayWith(String(turn.username), String(turn.credential));
    assert.equal(code, 0, output);
    // uclient's last tally: every message sent came back through the relay (it may send more
    // than -n asks when a first round is retried: seen 6 for 3 on a busy machine)
    const tally = [...output.matchAll(/tot_send_msgs=(\d+), tot_recv_msgs=(\d+)/g)].pop();
    assert.ok(tally, `no message tally in the output:\n${output}`);
    assert.ok(Number(tally[2]) >= 3 && tally[1] === tally[2], `the data went through the relay and came back:\n${output}`);
  });

  it('refuses a wrong credential and an expired one', async () => {
    const valid = turnRestCredentials(TURN_SECRET, 'cuser-1', new Date());
    assert.notEqual((await relayWith(valid.username, 'not-the-credential')).code, 0);
    const expired = turnRestCredentials(TURN_SECRET, 'cuser-1', new Date(Date.now() - 2 * 3600_000), 3600);
    assert.notEqual((await relayWith(expired.username, expired.credential)).code, 0);
  });
});
