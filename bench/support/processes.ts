// Child processes and ports for the benches: every server a bench starts is
// stopped by the same bench, on success, on error and on Ctrl-C. The helpers
// are the tests' ones (test/support/dcmtk.ts), so that benches and tests
// start and stop their peers the same way.
export { freePort, sleep, stopProcess, waitUntil } from '../../test/support/dcmtk';
