import { median } from './dicomweb-timing';

/** Runs fn n times in sequence and prints the median time, for the profile-* probes. */
export async function measure(label: string, fn: (i: number) => Promise<unknown>, n = 200): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await fn(i);
    times.push(performance.now() - started);
  }
  console.log(label.padEnd(44), median(times).toFixed(3), 'ms');
}
