// dicomweb-client (the DICOMweb client OHIF uses) as a real client in Node
// tests. It only speaks XMLHttpRequest, which Node lacks: xhr2 provides it.
import XMLHttpRequest from 'xhr2';
import * as dicomweb from 'dicomweb-client';

(globalThis as { XMLHttpRequest?: unknown }).XMLHttpRequest ??= XMLHttpRequest;

export function basicAuthHeader(email: string, password: string): string {
  return `Basic ${Buffer.from(`${email}:${password}`).toString('base64')}`;
}

export function createDicomwebClient(dicomwebUrl: string, authorization: string): dicomweb.api.DICOMwebClient {
  return new dicomweb.api.DICOMwebClient({ url: dicomwebUrl, singlepart: false, headers: { Authorization: authorization } });
}

export { dicomweb };
