/**
 * The package entry point for CDK apps:
 * `import { MeshService, MeshServiceProvider } from 'mesh-service-provider'`.
 */
export { HealthCheck, Match, Route, type RouteOptions } from './helpers';
export {
  MeshService,
  type MeshServiceProps,
  type RunPatchedRevisionOptions,
  SERVICE_TOKEN_EXPORT,
} from './mesh-service';
export * from './mesh-service-props.generated';
export {
  defaultHandlerCodePath,
  MeshServiceProvider,
  type MeshServiceProviderProps,
  PROVIDER_RUNTIME,
} from './provider';
export { MeshServiceProviderStack, type MeshServiceProviderStackProps } from './provider-stack';
export { MeshServiceReclaimer, type MeshServiceReclaimerProps } from './reclaimer';
