// An unknown guest link (notFound() in page.tsx): 404, said in the words of
// the one-time link pages rather than the portal's generic "Not found".
import Link from 'next/link';

export default function GuestLinkNotFound() {
  return (
    <main id="main" className="sign-in">
      <div className="card">
        <h1>
          Tele<span style={{ color: 'var(--accent)' }}>pacs</span>
        </h1>
        <h2>This guest link cannot be used</h2>
        <p className="alert error" role="alert">
          This guest link is not valid. Check that it was copied completely.
        </p>
        <p>
          <Link href="/sign-in">Telepacs users: go to the sign-in page</Link>
        </p>
      </div>
    </main>
  );
}
