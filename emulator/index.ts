/**
 * Local emulator of the AWS App Mesh (REST-JSON, /v20190125) and Amazon ECS task-definition (JSON 1.1) APIs on one
 * HTTP port, validated against the official service models. See docs/emulator.md.
 */
export { credentialsFor } from './accounts';
export { APP_MESH_SPEC_DEFAULTS } from './appmesh/defaults';
export { APP_MESH_QUOTAS } from './appmesh/quotas';
export { ECS_REGISTER_DEFAULTS } from './ecs/defaults';
export { DEFAULT_ACCOUNT_ID, DEFAULT_REGION, startEmulator } from './emulator';
export { type SeededPlatform, type SeedOptions, seedPlatform } from './seed';
export type {
  AppMeshResourceSnapshot,
  Emulator,
  EmulatorOptions,
  EmulatorSnapshot,
  Faults,
  InjectedError,
  RequestLogEntry,
  ServiceName,
  TagSnapshot,
  TaskDefinitionSnapshot,
  ThrottleBucket,
} from './types';
