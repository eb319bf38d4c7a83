// Job types that only the tests enqueue (declaration merging into lib/jobs/job-types.ts).
declare module '../../lib/jobs/job-types' {
  interface JobPayloads {
    'test.record': { label: string };
  }
}
export {};
