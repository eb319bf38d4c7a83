#!/usr/bin/env node
// Puts the prebuilt OHIF viewer (@ohif/app's dist/) where the server serves it
// under /ohif (lib/ohif/serve-ohif.ts). Runs on `npm install` (postinstall).
//
// Why not a plain dependency: @ohif/app declares the dependency tree of its
// source build (React 18, webpack loaders, @ohif/* packages, ~40 direct
// dependencies, Node >= 24), of which the viewer needs none at run time — its
// dist/ is self-contained — and part of which is not even on the registry
// (@ohif/i18n@3.13.2 is missing, so `npm install @ohif/app@3.13.2` fails).
// So we take the package's tarball alone, with npm itself (`npm pack`: the
// same registry, cache and configuration as every other package), check it
// against the integrity pinned below, and unpack dist/ only.
//
// Why rewrite: the dist is built with the public path "/" compiled in
// (index.html, webpack's __webpack_require__.p in the app and worker bundles,
// url() in the CSS, the manifest). We serve it under /ohif/, so those are
// rewritten once here to /ohif/ — what OHIF's own build does with
// PUBLIC_URL=/ohif/. Every rewrite must match what this version contains, so a
// new OHIF version that changes them fails here, not in a clinician's browser.
//
// Air-gapped install: OHIF_APP_TARBALL=/path/to/app-3.13.2.tgz uses that file
// (still checked against the pinned integrity).
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const OHIF_APP_VERSION = '3.13.2';
const OHIF_APP_INTEGRITY = 'sha512-WZdxmpmG7rqFgW9ZJLcbgr3XCtLi1KDNPoMaeY5PPe6j4G4fjEjjkycZM6C6Zk2F87BKxFfpq+jd5xXZB9E8EA==';
export const PUBLIC_PATH = '/ohif/';
/** Bump when the rewrite below changes, so existing installs are prepared again. */
const REWRITE_REVISION = 2;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Same path as OHIF_DIST_DIR in lib/ohif/ohif-dist.ts.
const target = join(root, 'node_modules', '.telepacs', 'ohif');
const markerFile = join(target, '.telepacs-ohif.json');
const marker = { version: OHIF_APP_VERSION, integrity: OHIF_APP_INTEGRITY, publicPath: PUBLIC_PATH, rewrite: REWRITE_REVISION };

function fail(message) {
  console.error(`install-ohif: ${message}`);
  process.exit(1);
}

function alreadyPrepared() {
  try {
    return JSON.stringify(JSON.parse(readFileSync(markerFile, 'utf8'))) === JSON.stringify(marker);
  } catch {
    return false;
  }
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.error) fail(`${command} ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) fail(`${command} ${args.join(' ')} exited with ${result.status}\n${result.stderr}`);
  return result.stdout;
}

/** The @ohif/app tarball, fetched by npm (its cache, registry and proxy settings). */
function packTarball(workDir) {
  if (process.env.OHIF_APP_TARBALL) return process.env.OHIF_APP_TARBALL;
  // Inside `npm install`, npm_execpath is the npm that runs us: use the same one.
  const npmCli = process.env.npm_execpath;
  const [command, prefix] = npmCli && npmCli.endsWith('.js') ? [process.execPath, [npmCli]] : ['npm', []];
  const output = run(command, [...prefix, 'pack', `@ohif/app@${OHIF_APP_VERSION}`, '--pack-destination', workDir, '--json', '--silent'], {
    cwd: workDir,
  });
  const [packed] = JSON.parse(output.slice(output.indexOf('[')));
  return join(workDir, packed.filename);
}

function checkIntegrity(tarball) {
  const [algorithm, expected] = OHIF_APP_INTEGRITY.split(/-(.*)/s);
  const actual = createHash(algorithm).update(readFileSync(tarball)).digest('base64');
  if (actual !== expected) fail(`${tarball} does not match the pinned integrity of @ohif/app@${OHIF_APP_VERSION}`);
}

/** Replaces `from` with `to` in a file; `expected` occurrences must be there (at least one). */
function rewrite(file, from, to, { atLeast = 1 } = {}) {
  const text = readFileSync(file, 'utf8');
  const count = text.split(from).length - 1;
  if (count < atLeast) fail(`${file}: expected ${atLeast}+ occurrence(s) of ${JSON.stringify(from)}, found ${count} (a new OHIF build?)`);
  writeFileSync(file, text.split(from).join(to));
  return count;
}

function rewriteForPublicPath(dist) {
  // index.html: every absolute href/src, and window.PUBLIC_URL (read by the
  // router basename fallback, customization and service-worker code).
  const index = join(dist, 'index.html');
  rewrite(index, 'window.PUBLIC_URL="/"', `window.PUBLIC_URL="${PUBLIC_PATH}"`, { atLeast: 2 });
  rewrite(index, 'href="/', `href="${PUBLIC_PATH}`, { atLeast: 3 });
  rewrite(index, 'src="/', `src="${PUBLIC_PATH}`, { atLeast: 3 });

  // webpack's public path, compiled into the app bundle and each worker bundle:
  // where lazy chunks, workers and codec .wasm files are fetched from.
  let bundles = 0;
  for (const name of readdirSync(dist)) {
    if (!name.endsWith('.js')) continue;
    const file = join(dist, name);
    if (readFileSync(file, 'utf8').includes('__webpack_require__.p = "/";')) {
      rewrite(file, '__webpack_require__.p = "/";', `__webpack_require__.p = "${PUBLIC_PATH}";`);
      bundles += 1;
    }
  }
  if (bundles < 2) fail(`found the webpack public path in ${bundles} bundle(s) only (a new OHIF build?)`);

  // The microscopy viewer is imported by an absolute URL.
  const appBundle = readdirSync(dist).find((name) => /^app\.bundle\.[0-9a-f]+\.js$/.test(name));
  if (!appBundle) fail('no app.bundle.<hash>.js in the dist');
  rewrite(join(dist, appBundle), "'/dicom-microscopy-viewer/", `'${PUBLIC_PATH}dicom-microscopy-viewer/`);

  // CSS fonts and images, and the web app manifest's icons.
  for (const name of readdirSync(dist)) {
    if (name.endsWith('.css') && readFileSync(join(dist, name), 'utf8').includes('url(/')) rewrite(join(dist, name), 'url(/', `url(${PUBLIC_PATH}`);
  }
  rewrite(join(dist, 'manifest.json'), '"/assets/', `"${PUBLIC_PATH}assets/`);
}

// The viewer's own files (top level: app and worker bundles, codecs, CSS)
// are sent gzipped when the browser accepts it (lib/ohif/serve-ohif.ts):
// the 17 MB app bundle becomes 3.4 MB, which matters to a clinic on a slow
// link. Compressed once here (about 2.5 s) rather than on every request.
// ort/ (AI segmentation) and dicom-microscopy-viewer/ are loaded only by
// those tools and stay uncompressed.
function precompress(dist) {
  for (const name of readdirSync(dist)) {
    if (!/\.(js|css|wasm|html|json|svg)$/.test(name)) continue;
    const file = join(dist, name);
    const bytes = readFileSync(file);
    if (bytes.length >= 1024) writeFileSync(`${file}.gz`, gzipSync(bytes, { level: 6 }));
  }
}

if (alreadyPrepared()) {
  console.log(`install-ohif: OHIF viewer ${OHIF_APP_VERSION} already prepared`);
  process.exit(0);
}
const started = Date.now();
// Unpacked beside the target, so that the final rename stays on one file system.
mkdirSync(dirname(target), { recursive: true });
const work = mkdtempSync(join(dirname(target), 'ohif-unpack-'));
try {
  const tarball = packTarball(work);
  checkIntegrity(tarball);
  // Source maps are for OHIF's developers (38 MB): left out.
  run('tar', ['-xzf', tarball, '-C', work, '--exclude=*.map', 'package/dist']);
  const dist = join(work, 'package', 'dist');
  if (!existsSync(join(dist, 'index.html'))) fail('the tarball has no dist/index.html');
  rewriteForPublicPath(dist);
  precompress(dist);
  writeFileSync(join(dist, '.telepacs-ohif.json'), JSON.stringify(marker));
  rmSync(target, { recursive: true, force: true });
  renameSync(dist, target);
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(`install-ohif: OHIF viewer ${OHIF_APP_VERSION} prepared for ${PUBLIC_PATH} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
