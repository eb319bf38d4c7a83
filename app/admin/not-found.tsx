import Link from 'next/link';

// What a non-admin, or the admin of another facility, sees for a facility's
// administration: the same as for a page that does not exist.
export default function AdminNotFound() {
  return (
    <main id="main">
      <h1>Page not found</h1>
      <p className="lead">This page does not exist, or you do not have access to it.</p>
      <p>
        <Link href="/" className="button secondary">
          Back to the worklist
        </Link>
      </p>
    </main>
  );
}
