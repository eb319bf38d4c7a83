import type { Hl7Handler } from '../hl7-handlers';
import { Hl7Error } from '../hl7-error';
export const applyOrderMessage: Hl7Handler = async () => {
  throw new Hl7Error(207, 'not yet');
};
