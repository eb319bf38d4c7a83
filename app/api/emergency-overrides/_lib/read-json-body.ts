// A JSON body, or BAD_REQUEST (400) when it is not JSON at all.
import { DomainError } from '../../../../lib/errors';

export async function readJsonBody(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    throw new DomainError('BAD_REQUEST', 'body is not JSON', { userMessage: 'The request body must be JSON.' });
  }
}
