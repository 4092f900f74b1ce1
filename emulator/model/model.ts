/**
 * The official AWS service models (emulator/models/*.json, extracted from botocore by
 * scripts/extract-aws-models.mjs) and typed access to them. Every constraint the emulator enforces on the wire
 * comes from these files; nothing here restates a constraint by hand.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type ShapeType =
  | 'structure'
  | 'list'
  | 'map'
  | 'string'
  | 'integer'
  | 'long'
  | 'boolean'
  | 'double'
  | 'float'
  | 'timestamp'
  | 'blob';

export interface MemberRef {
  readonly shape: string;
  readonly location?: 'uri' | 'querystring' | 'header' | 'headers' | 'statusCode';
  readonly locationName?: string;
  readonly idempotencyToken?: boolean;
}

export interface Shape {
  readonly type: ShapeType;
  readonly members?: Readonly<Record<string, MemberRef>>;
  readonly required?: readonly string[];
  readonly member?: MemberRef;
  readonly key?: MemberRef;
  readonly value?: MemberRef;
  readonly enum?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly union?: boolean;
  readonly payload?: string;
  readonly sensitive?: boolean;
  /** How a timestamp is written on the wire when the protocol's default is not used (`iso8601` for VPC Lattice). */
  readonly timestampFormat?: 'iso8601' | 'unixTimestamp' | 'rfc822';
  readonly exception?: boolean;
  readonly fault?: boolean;
  readonly error?: { readonly httpStatusCode?: number; readonly senderFault?: boolean };
}

export interface Operation {
  readonly name: string;
  readonly http: { readonly method: string; readonly requestUri: string; readonly responseCode?: number };
  readonly input?: { readonly shape: string };
  readonly output?: { readonly shape: string };
  readonly errors?: readonly { readonly shape: string }[];
}

export interface ServiceModel {
  readonly source: { readonly package: string; readonly file: string; readonly sha256: string };
  readonly metadata: {
    readonly apiVersion: string;
    readonly protocol: string;
    readonly serviceId: string;
    readonly targetPrefix?: string;
    readonly endpointPrefix?: string;
    readonly signingName?: string;
  };
  readonly operations: Readonly<Record<string, Operation>>;
  readonly shapes: Readonly<Record<string, Shape>>;
}

export type ModelFile =
  | 'appmesh-2019-01-25.json'
  | 'cloudformation-2010-05-15.json'
  | 'ecs-2014-11-13.json'
  | 'servicediscovery-2017-03-14.json'
  | 'resourcegroupstaggingapi-2017-01-26.json'
  | 'vpc-lattice-2022-11-30.json'
  | 'elbv2-2015-12-01.json';

const cache = new Map<ModelFile, ServiceModel>();

/** Loads (once) one of the committed models. */
export function loadModel(file: ModelFile): ServiceModel {
  let model = cache.get(file);
  if (!model) {
    model = JSON.parse(readFileSync(join(__dirname, '..', 'models', file), 'utf8')) as ServiceModel;
    cache.set(file, model);
  }
  return model;
}

/** The service name SigV4 signs requests for: the model's signingName, else its endpointPrefix (as the SDKs do). */
export function signingNameOf(model: ServiceModel): string | undefined {
  return model.metadata.signingName ?? model.metadata.endpointPrefix;
}

export function shapeOf(model: ServiceModel, name: string): Shape {
  const shape = model.shapes[name];
  if (!shape) throw new Error(`shape ${name} is not in the ${model.metadata.serviceId} model`);
  return shape;
}

/** The values of one of the model's enum shapes (CloudFormation's StackStatus, ResourceStatus). */
export function enumValues(model: ServiceModel, shape: string): readonly string[] {
  const values = model.shapes[shape]?.enum;
  if (!values) throw new Error(`shape ${shape} is not an enum of the ${model.metadata.serviceId} model`);
  return values;
}

/** A structure with no members, for operations that declare no input or output. */
export const EMPTY_STRUCTURE: Shape = { type: 'structure', members: {} };

export function inputShape(model: ServiceModel, op: Operation): Shape {
  return op.input ? shapeOf(model, op.input.shape) : EMPTY_STRUCTURE;
}

export function outputShape(model: ServiceModel, op: Operation): Shape {
  return op.output ? shapeOf(model, op.output.shape) : EMPTY_STRUCTURE;
}

/** The HTTP status the model gives an error shape (App Mesh declares them; ECS errors are 400, faults 500). */
export function errorStatus(model: ServiceModel, type: string): number | undefined {
  const shape = model.shapes[type];
  if (!shape?.exception) return undefined;
  return shape.error?.httpStatusCode ?? (shape.fault ? 500 : 400);
}
