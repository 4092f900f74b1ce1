/**
 * Local emulator of the AWS App Mesh (REST-JSON, /v20190125), Amazon ECS task-definition and service (JSON 1.1), AWS
 * Cloud Map namespace (JSON 1.1), Resource Groups Tagging (JSON 1.1), Amazon VPC Lattice (REST-JSON) and AWS
 * CloudFormation read (AWS query) APIs on one HTTP port, validated against the official service models. See
 * docs/emulator.md.
 */
export { credentialsFor } from './accounts';
export { APP_MESH_SPEC_DEFAULTS } from './appmesh/defaults';
export { APP_MESH_QUOTAS } from './appmesh/quotas';
export { ECS_REGISTER_DEFAULTS } from './ecs/defaults';
export { DEFAULT_ACCOUNT_ID, DEFAULT_REGION, stackId, startEmulator } from './emulator';
export { type SeededPlatform, type SeedOptions, seedPlatform } from './seed';
export type { SavedState } from './state';
export type {
  AppMeshResourceSnapshot,
  CloudFormationControl,
  CloudMapServiceSnapshot,
  EcsServiceSnapshot,
  Emulator,
  EmulatorOptions,
  EmulatorSnapshot,
  FaultOptions,
  Faults,
  HangOptions,
  InjectedError,
  NamespaceSnapshot,
  PutStackInput,
  RequestLogEntry,
  ScopeOptions,
  ServiceDiscoveryControl,
  ServiceName,
  SnapshotFilter,
  StackResourceInput,
  StackResourceSnapshot,
  StackSnapshot,
  TagSnapshot,
  TaskDefinitionSnapshot,
  ThrottleBucket,
  ThrottlePreset,
  VpcLatticeResourceSnapshot,
  VpcLatticeSnapshot,
} from './types';
