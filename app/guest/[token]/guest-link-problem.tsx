import Link from 'next/link';

/** Why a guest link cannot be used: the same words for an unknown link (not-found) and a used, expired or withdrawn one. */
export function GuestLinkProblem({ message }: { message: string }) {
  return (
    <>
      <h2>This guest link cannot be used</h2>
      <p className="alert error" role="alert">
        {message}
      </p>
      <p>
        <Link href="/sign-in">Telepacs users: go to the sign-in page</Link>
      </p>
    </>
  );
}
