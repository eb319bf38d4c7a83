// xhr2: XMLHttpRequest for Node, so dicomweb-client (browser XHR only) runs in tests as a real client.
declare module 'xhr2' {
  const XMLHttpRequest: typeof globalThis.XMLHttpRequest;
  export default XMLHttpRequest;
}
