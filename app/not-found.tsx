import Link from 'next/link';

// One answer for "does not exist" and "not yours to see": nothing to probe.
export default function NotFound() {
  return (
    <main id="main">
      <h1>Not found</h1>
      <p className="lead">There is nothing here, or nothing you are allowed to see.</p>
      <Link href="/" className="button">
        Back to the worklist
      </Link>
    </main>
  );
}
