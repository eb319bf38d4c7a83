'use client';
// False in the server's HTML and until React has hydrated the page, then true.
// A form whose submission is JavaScript (onSubmit → fetch) keeps its submit
// button disabled until then: clicked earlier (a slow phone, a busy machine),
// the browser would submit it natively and the page would just reload with
// nothing done. Such forms also say method="post", so that even then no field
// (a password) ends up in a URL.
import { useSyncExternalStore } from 'react';

const subscribe = () => () => undefined;

export function useHydrated(): boolean {
  return useSyncExternalStore(subscribe, () => true, () => false);
}
