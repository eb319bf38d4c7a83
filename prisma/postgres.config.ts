// Prisma CLI config for PostgreSQL (offline JS schema engine).
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';
import { postgresUrlForCli } from './database-url';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('postgres', 'schema.prisma') /* relative to this file */,
  migrations: { path: path.join('postgres', 'migrations') },
  async adapter() {
    return new PrismaPg({ connectionString: postgresUrlForCli() });
  },
});
