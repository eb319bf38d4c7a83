export { DATA_CONTENT_SECURITY_POLICY, ohifContentSecurityPolicy, portalContentSecurityPolicy } from './content-security-policy';
export { createHostCheck, type HostCheck } from './host-check';
export { BASE_SECURITY_HEADERS, HSTS_MAX_AGE_SECONDS, preparePortalResponse, setBaseSecurityHeaders, setNoStore } from './security-headers';
