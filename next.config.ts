// Built with webpack (`next build --webpack`): Turbopack hangs for good once
// Cornerstone's self-spawning workers are imported (DESIGN.md).
import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // Native or Node-only packages: loaded by Node at run time, never bundled.
  // The custom server (server.ts) shares these modules with the route code.
  serverExternalPackages: [
    '@node-rs/argon2',
    'sharp',
    'better-sqlite3',
    'pg',
    '@prisma/client',
    '@prisma/adapter-better-sqlite3',
    '@prisma/adapter-pg',
    'dcmjs',
    'dicom-parser',
    'dcmjs-imaging',
    'dcmjs-codecs',
    'dcmjs-dimse',
  ],
  // The production build type-checks the shipped code only: a test or bench
  // file must not stop a hospital's `npm start`. `npm test` checks everything.
  typescript: { tsconfigPath: 'tsconfig.portal.json' },
  poweredByHeader: false,
  reactStrictMode: true,
  webpack(config, { isServer }) {
    if (!isServer) {
      // Cornerstone's codecs mention `fs` for their Node builds; browsers never take that path.
      config.resolve = config.resolve ?? {};
      config.resolve.fallback = { ...(config.resolve.fallback ?? {}), fs: false };
    }
    return config;
  },
  // Security headers (CSP with a per-request nonce, HSTS, framing, referrer) are
  // set by the custom server for every route, Next's included: lib/http-security/.
};

export default nextConfig;
