// Prisma CLI config for the embedded SQLite database (offline JS schema engine).
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { sqliteFileFromEnv } from './database-url';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('sqlite', 'schema.prisma') /* relative to this file */,
  migrations: { path: path.join('sqlite', 'migrations') },
  async adapter() {
    return new PrismaBetterSQLite3({ url: sqliteFileFromEnv() });
  },
});
