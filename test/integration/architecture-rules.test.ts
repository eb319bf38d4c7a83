// The rules of the rooms (docs/architecture.md, issue 13), checked on the tree
// so that a change breaking one fails here rather than in a review:
// - app/ only parses, calls lib/ and renders: no database handle, no query,
//   no Prisma import (access is decided in lib/, once);
// - the audit trail is written through lib/audit/ only;
// - dependencies point one way: app → lib → pacs-core (pacs-core imports
//   nothing from lib/ or app/, and app/ reaches pacs-core through lib/).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Source files under `dir` (relative to the root), tests excluded: they may set up rows directly. */
function sourcesUnder(dir: string): string[] {
  const found: string[] = [];
  const walk = (relative: string) => {
    for (const entry of readdirSync(path.join(root, relative))) {
      if (entry === 'node_modules' || entry.startsWith('.')) continue;
      const child = path.join(relative, entry);
      if (statSync(path.join(root, child)).isDirectory()) walk(child);
      else if (/\.(ts|tsx|mts|cts|js|mjs)$/.test(entry) && !/\.test\.tsx?$/.test(entry)) found.push(child);
    }
  };
  walk(dir);
  return found.sort();
}

/** Every line of these files that matches one of the patterns, as "file:line: text". */
function offendingLines(files: string[], patterns: RegExp[]): string[] {
  return files.flatMap((file) =>
    readFileSync(path.join(root, file), 'utf8')
      .split('\n')
      .flatMap((line, index) => (patterns.some((pattern) => pattern.test(line)) ? [`${file}:${index + 1}: ${line.trim()}`] : [])),
  );
}

/** The module paths a file imports (static, dynamic and type imports, re-exports). */
function importedPaths(file: string): string[] {
  const text = readFileSync(path.join(root, file), 'utf8');
  return [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"]([^'"]+)['"]/g)].map((match) => match[1]);
}

function importsInto(files: string[], rooms: string[]): string[] {
  return files.flatMap((file) =>
    importedPaths(file)
      .filter((specifier) => specifier.startsWith('.'))
      .filter((specifier) => {
        const target = path.relative(root, path.resolve(root, path.dirname(file), specifier));
        return rooms.some((room) => target === room || target.startsWith(`${room}${path.sep}`));
      })
      .map((specifier) => `${file} imports ${specifier}`),
  );
}

describe('architecture rules', () => {
  it('app/ holds no database handle and runs no query (lib/ decides access and reads)', () => {
    const offending = offendingLines(sourcesUnder('app'), [
      /(?<![\\\w])\.db\b/, // runtime.db, getRuntime().db, server.node.db
      /\{[^}]*\bdb\b[^}]*\}\s*=/, // const { db } = getRuntime()
      /\$(queryRaw|executeRaw|queryRawUnsafe|executeRawUnsafe|transaction)\b/,
      /from\s+['"][^'"]*(prisma\/|@prisma\/)[^'"]*['"]/,
    ]);
    assert.deepEqual(offending, [], `move these into a lib/ operation that takes the principal:\n${offending.join('\n')}`);
  });

  // Holds once issue 13's audit path (recordAudit in lib/audit/) has replaced
  // the direct writes in lib/users, lib/consult, lib/auth and lib/dicom-peers.
  it('writes audit events only through lib/audit/', () => {
    const files = ['app', 'lib', 'pacs-core'].flatMap(sourcesUnder).filter((file) => !file.startsWith(`lib${path.sep}audit${path.sep}`));
    const offending = offendingLines(files, [/\bauditEvent\s*\.\s*(create|createMany|upsert)\b/]);
    assert.deepEqual(offending, [], `write these through lib/audit:\n${offending.join('\n')}`);
  });

  it('pacs-core imports nothing from lib/ or app/', () => {
    assert.deepEqual(importsInto(sourcesUnder('pacs-core'), ['lib', 'app']), []);
  });

  it('app/ reaches the archive through lib/ (app → lib → pacs-core)', () => {
    assert.deepEqual(importsInto(sourcesUnder('app'), ['pacs-core', 'prisma']), []);
  });

  it('finds what it is looking for (the scan itself works)', () => {
    assert.ok(sourcesUnder('app').includes(path.join('app', 'page.tsx')));
    assert.ok(importedPaths(path.join('lib', 'studies', 'delete-study.ts')).includes('../../pacs-core/delete-study'));
    assert.deepEqual(offendingLines([path.join('lib', 'studies', 'delete-study.ts')], [/context\.db\.study\./]).length, 1);
  });
});
