/** The package entry point for CDK apps: `import { MeshService } from 'mesh-service-provider'`. */
export { MeshService, type MeshServiceProps, SERVICE_TOKEN_EXPORT } from './mesh-service';
export type * from './mesh-service-props.generated';
