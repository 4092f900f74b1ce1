/**
 * The package entry point for CDK apps:
 * `import { MeshService, MeshServiceProvider } from 'mesh-service-provider'`.
 */
export { MeshService, type MeshServiceProps, SERVICE_TOKEN_EXPORT } from './mesh-service';
export type * from './mesh-service-props.generated';
export {
  defaultHandlerCodePath,
  MeshServiceProvider,
  type MeshServiceProviderProps,
  PROVIDER_RUNTIME,
} from './provider';
export { MeshServiceProviderStack, type MeshServiceProviderStackProps } from './provider-stack';
