// Every DICOMweb route the archive serves under /dicomweb, and WADO-URI at /wado.
import { qidoRoutes } from './qido-routes';
import { stowRoutes } from './stow-routes';
import { wadoRoutes, wadoUriRoutes as wadoUri } from './wado-routes';
import type { Route } from './types';

export const dicomwebRoutes: Route[] = [...stowRoutes, ...qidoRoutes, ...wadoRoutes];
export const wadoUriRoutes: Route[] = wadoUri;
