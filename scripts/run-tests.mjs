#!/usr/bin/env node
// `npm test`: every *.test.ts under pacs-core/, lib/, app/ and test/, with Node's
// own test runner (through tsx). Test files run one at a time: several start
// servers, DCMTK and Chromium, and the machines have 2 cores.
// TEST_DATABASE=postgres runs the same suite on PostgreSQL, except the browser
// tests under test/e2e/: they run once, on SQLite (what they check is the
// page, not the database; the integration tests cover both databases).
// TEST_E2E=1 runs them on PostgreSQL too.
// The tests of several nodes (test/integration/federation-*.test.ts) start one node on
// SQLite and another on PostgreSQL whatever TEST_DATABASE says: each run covers both
// databases, so they run in the SQLite phase only (TEST_FEDERATION=1 runs them on
// PostgreSQL too). Likewise test/integration/several-processes.test.ts is PostgreSQL only.
// TEST_PART=browser runs only the browser tests (test/e2e), TEST_PART=rest all the
// others: .ci/run runs the browser tests beside the PostgreSQL run.
// Extra arguments are passed on (e.g. a file list, or --test-name-pattern=...).
// TEST_UNIT_CONCURRENCY (below) runs the files outside test/ several at a time.
// A test file (and each test in it) that hangs fails after TEST_TIMEOUT_MS
// (default 10 minutes; the longest file, the first browser test with the
// portal build, takes about 3 on an idle machine) instead of eating the
// whole CI phase.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const explicitFiles = args.filter((arg) => !arg.startsWith('-'));
const flags = args.filter((arg) => arg.startsWith('-'));

function findTests(dir) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...findTests(full));
    else if (/\.test\.tsx?$/.test(entry)) out.push(full);
  }
  return out;
}

const onPostgres = process.env.TEST_DATABASE === 'postgres';
const e2eDir = path.join(root, 'test', 'e2e') + path.sep;
const part = process.env.TEST_PART ?? '';
if (!['', 'browser', 'rest'].includes(part)) {
  console.error(`TEST_PART: "${part}" — expected browser or rest (or unset for all)`);
  process.exit(2);
}
// TEST_UNIT_CONCURRENCY=N: the files outside test/ (in-process tests of one module, their own
// temp dirs and scratch databases, no fixed ports) run N at a time, then test/ one at a time.
// .ci/run sets 2 for the phase that has the machine to itself (129 s → 89 s here).
const unitConcurrency = Number(process.env.TEST_UNIT_CONCURRENCY ?? '1');
if (!Number.isInteger(unitConcurrency) || unitConcurrency < 1 || unitConcurrency > 8) {
  console.error(`TEST_UNIT_CONCURRENCY: "${process.env.TEST_UNIT_CONCURRENCY}" — expected 1 to 8`);
  process.exit(2);
}
const skipE2e = (onPostgres && process.env.TEST_E2E !== '1') || part === 'rest';
const federationPrefix = path.join(root, 'test', 'integration', 'federation-');
const skipFederation = onPostgres && process.env.TEST_FEDERATION !== '1';
const files = explicitFiles.length
  ? explicitFiles
  : ['pacs-core', 'lib', 'app', 'test']
      .flatMap((dir) => {
        try {
          return findTests(path.join(root, dir));
        } catch {
          return [];
        }
      })
      .filter((file) => !(skipE2e && file.startsWith(e2eDir)))
      .filter((file) => !(skipFederation && file.startsWith(federationPrefix)))
      .filter((file) => part !== 'browser' || file.startsWith(e2eDir))
      .sort();

if (!explicitFiles.length && part !== 'browser') {
  // The whole project, tests included, must type-check (tsx runs tests without checking types).
  const typecheck = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', root], {
    cwd: root,
    stdio: 'inherit',
  });
  if (typecheck.status !== 0) {
    console.error('telepacs: type errors (above); fix them before the tests run');
    process.exit(typecheck.status ?? 1);
  }
}

console.log(
  `telepacs tests on ${onPostgres ? 'PostgreSQL' : 'SQLite'}: ${files.length} files${part ? ` (TEST_PART=${part})` : ''}${onPostgres && skipE2e && !part && !explicitFiles.length ? ' (browser tests in test/e2e run on SQLite only; TEST_E2E=1 runs them here too)' : ''}${skipFederation && !explicitFiles.length ? ' (the tests of several nodes, each on SQLite and PostgreSQL nodes, run in the SQLite phase; TEST_FEDERATION=1 runs them here too)' : ''}`,
);
const runFiles = (list, concurrency) =>
  spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', `--test-timeout=${process.env.TEST_TIMEOUT_MS ?? 600_000}`, ...flags, ...list],
    { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test', TCP_NODELAY: '1' } },
  ).status ?? 1;

const testDir = path.join(root, 'test') + path.sep;
const unitFiles = unitConcurrency > 1 && !explicitFiles.length ? files.filter((file) => !file.startsWith(testDir)) : [];
const restFiles = files.filter((file) => !unitFiles.includes(file));
const unitStatus = unitFiles.length ? runFiles(unitFiles, unitConcurrency) : 0;
const restStatus = restFiles.length ? runFiles(restFiles, 1) : 0;
process.exit(unitStatus || restStatus);
