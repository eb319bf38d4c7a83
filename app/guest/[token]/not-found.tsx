// An unknown guest link (notFound() in page.tsx): 404, said in the words of
// the one-time link pages rather than the portal's generic "Not found".
import { BrandCard } from '../../_components/brand-card';
import { GuestLinkProblem } from './guest-link-problem';

export default function GuestLinkNotFound() {
  return (
    <BrandCard>
      <GuestLinkProblem message="This guest link is not valid. Check that it was copied completely." />
    </BrandCard>
  );
}
