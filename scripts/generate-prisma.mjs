#!/usr/bin/env node
// Derives the two provider schemas from prisma/schema.base.prisma and generates
// both Prisma clients. Runs on `npm install` (postinstall) and whenever the model
// changes. Why two: Prisma cannot take the provider from env(), and each
// migration folder pins its provider in migration_lock.toml (see docs/architecture.md).
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const base = readFileSync(join(root, 'prisma/schema.base.prisma'), 'utf8');

const providers = {
  sqlite: { provider: 'sqlite', url: 'file:./placeholder.db' },
  postgres: { provider: 'postgresql', url: 'postgresql://placeholder@127.0.0.1:5432/placeholder' },
};

export function deriveSchema(name) {
  const { provider, url } = providers[name];
  return `// GENERATED from prisma/schema.base.prisma by scripts/generate-prisma.mjs — do not edit.
generator client {
  provider     = "prisma-client"
  output       = "../generated/${name}"
  engineType   = "client"
  moduleFormat = "esm"
  runtime      = "nodejs"
}

datasource db {
  provider = "${provider}"
  // Placeholder: the real connection comes from the driver adapter
  // (prisma/${name}.config.ts for the CLI, prisma/database.ts at run time).
  url      = "${url}"
}

${base}`;
}

const onlyDerive = process.argv.includes('--derive-only');
for (const name of Object.keys(providers)) {
  writeFileSync(join(root, `prisma/${name}/schema.prisma`), deriveSchema(name));
  if (onlyDerive) continue;
  const result = spawnSync(
    process.execPath,
    [join(root, 'node_modules/prisma/build/index.js'), 'generate', '--config', `prisma/${name}.config.ts`],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' },
  );
  if (result.status !== 0) {
    process.stdout.write(result.stdout ?? '');
    console.error(`prisma generate (${name}) failed`);
    process.exit(result.status ?? 1);
  }
}
console.log(onlyDerive ? 'telepacs: provider schemas derived' : 'telepacs: Prisma clients generated for sqlite and postgres');
