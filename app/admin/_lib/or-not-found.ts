// Page glue: a lib/ call that decides access itself; its NOT_FOUND (anyone who
// may not see the page) becomes the 404 page, like a page that does not exist.
import { notFound } from 'next/navigation';
import { isPolicyError } from '../../../lib/policy';

export async function orNotFound<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (isPolicyError(error) && error.code === 'NOT_FOUND') notFound();
    throw error;
  }
}
