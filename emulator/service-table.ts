/**
 * The emulated services, one entry each: its model, its wire protocol (how its requests are recognised, resolved,
 * decoded and answered), its errors, its extra rules and its semantics. The pipeline (emulator/pipeline.ts) runs the
 * same steps for every entry; nothing else in the request path knows a service by name.
 *
 * Adding a service (Elastic Load Balancing v2 speaks the AWS query protocol like CloudFormation, Amazon VPC Lattice
 * REST-JSON like App Mesh):
 * 1. Extract its model into emulator/models/ (`scripts/extract-aws-models.mjs … --only <service>`) and add the file
 *    to `ModelFile` (emulator/model/model.ts).
 * 2. Give it a folder emulator/<service>/ of the same shape as the others: service.ts (the operations' semantics:
 *    `handle(operation, input, { account })` returns the output members or throws a ServiceError), rules.ts (the
 *    documented rules the model cannot express, each quoting its source), defaults.ts (what the service fills in,
 *    each with why). Its error factories go in emulator/errors.ts.
 * 3. Add its entry below, after the existing ones: `restJsonProtocol(model, '<its bad-request error>')`,
 *    `json11Protocol(model)` or `queryProtocol(model)`; its missing-authentication status; its validation, internal
 *    and throttling errors; any extra validation or admission rule. Its requests then find it by themselves: JSON
 *    1.1 ones by its target prefix, query ones by the service their SigV4 credential scope names (the model's
 *    signing name: `…/<region>/elasticloadbalancing/aws4_request`), REST-JSON ones by the first path segment of its
 *    request URIs (`/services/…`, `/targetgroups/…` for Lattice). The first entry of each protocol also answers the
 *    requests no entry of that protocol claims, with its unknown-operation error, so the order below is part of the
 *    behaviour: new entries go last.
 * 4. Add its name to `ServiceName` and its state to `EmulatorSnapshot` (emulator/types.ts, additively), and in
 *    emulator/emulator.ts construct it, reset it, snapshot it and give `env()` its `AWS_ENDPOINT_URL_<SERVICE>`.
 * The request log, the faults (latency, throttling, planned faults, `<service>:<Operation>` patterns) and the model
 * validation then apply to it with no other change.
 */
import type { AppMeshService } from './appmesh/service';
import { stackNameIssues } from './cloudformation/rules';
import type { CloudFormationService } from './cloudformation/service';
import { FamilyRegistrations } from './ecs/rules';
import type { EcsService } from './ecs/service';
import { ECS_SERVICE_OPERATIONS, type EcsServices } from './ecs/services';
import type { Elbv2Service } from './elbv2/service';
import type { ServiceFacts } from './faults';
import type { ServiceModel } from './model/model';
import type { ServiceEntry } from './pipeline';
import { json11Protocol } from './protocol/json11';
import { queryProtocol } from './protocol/query';
import { restJsonProtocol } from './protocol/rest-json';
import type { ServiceDiscoveryService } from './servicediscovery/service';
import type { TaggingService } from './tagging/service';
import type { ServiceName } from './types';
import type { VpcLatticeService } from './vpc-lattice/service';

/** The state-holding service objects the entries answer with (emulator/emulator.ts builds them). */
export interface EmulatedServices {
  readonly appmesh: AppMeshService;
  /** ECS task definitions. */
  readonly ecs: EcsService;
  /** ECS services (CreateService, DescribeServices, UpdateService, DeleteService). */
  readonly ecsServices: EcsServices;
  readonly servicediscovery: ServiceDiscoveryService;
  readonly cloudformation: CloudFormationService;
  readonly tagging: TaggingService;
  readonly vpclattice: VpcLatticeService;
  readonly elbv2: Elbv2Service;
}

export function serviceTable(
  models: Readonly<Record<ServiceName, ServiceModel>>,
  services: EmulatedServices,
): readonly ServiceEntry[] {
  const registrations = new FamilyRegistrations();
  return [
    {
      // REST-JSON under /v20190125; App Mesh's model declares the status of each of its errors.
      name: 'appmesh',
      model: models.appmesh,
      protocol: restJsonProtocol(models.appmesh, 'BadRequestException'),
      missingAuthenticationStatus: 403,
      validationError: 'BadRequestException',
      internalError: { type: 'InternalServerErrorException', status: 500 },
      throttlingError: { type: 'TooManyRequestsException', status: 429 },
      handle: (operation, input, ctx) => services.appmesh.handle(operation, input, ctx),
    },
    {
      // JSON 1.1, X-Amz-Target AmazonEC2ContainerServiceV20141113.<Operation>: client errors are HTTP 400.
      name: 'ecs',
      model: models.ecs,
      protocol: json11Protocol(models.ecs),
      missingAuthenticationStatus: 400,
      validationError: 'InvalidParameterException',
      internalError: { type: 'ServerException', status: 500 },
      throttlingError: { type: 'ThrottlingException', status: 400 },
      admit: (operation, account, input) => registrations.admit(operation, account, input),
      handle: (operation, input, ctx) =>
        ECS_SERVICE_OPERATIONS.has(operation)
          ? services.ecsServices.handle(operation, input, ctx)
          : services.ecs.handle(operation, input, ctx),
    },
    {
      // JSON 1.1 like ECS, X-Amz-Target Route53AutoNaming_v20170314.<Operation>, `InvalidInput` for what the
      // model refuses. Its internal error and throttling are not in the model: named as the JSON protocol names them.
      name: 'servicediscovery',
      model: models.servicediscovery,
      protocol: json11Protocol(models.servicediscovery),
      missingAuthenticationStatus: 400,
      validationError: 'InvalidInput',
      internalError: { type: 'InternalFailure', status: 500 },
      throttlingError: { type: 'ThrottlingException', status: 400 },
      handle: (operation, input, ctx) => services.servicediscovery.handle(operation, input, ctx),
    },
    {
      // AWS query. Its read operations model no error shapes: every client error is `ValidationError` (HTTP 400),
      // as CloudFormation answers for unknown stacks and resources; throttling is `Throttling` ("Rate exceeded",
      // HTTP 400) and an internal failure `InternalFailure` (HTTP 500), the AWS query APIs' common error codes.
      name: 'cloudformation',
      model: models.cloudformation,
      protocol: queryProtocol(models.cloudformation),
      missingAuthenticationStatus: 403,
      validationError: 'ValidationError',
      internalError: { type: 'InternalFailure', status: 500 },
      throttlingError: { type: 'Throttling', status: 400 },
      extraValidation: stackNameIssues,
      handle: (operation, input, ctx) => services.cloudformation.handle(operation, input, ctx),
    },
    {
      // JSON 1.1, X-Amz-Target ResourceGroupsTaggingAPI_20170126.GetResources; every client error is modelled
      // (InvalidParameterException, HTTP 400), throttling is ThrottledException and an internal failure
      // InternalServiceException (HTTP 500), as its model names them.
      name: 'tagging',
      model: models.tagging,
      protocol: json11Protocol(models.tagging),
      missingAuthenticationStatus: 400,
      validationError: 'InvalidParameterException',
      internalError: { type: 'InternalServiceException', status: 500 },
      throttlingError: { type: 'ThrottledException', status: 400 },
      handle: (operation, input, ctx) => services.tagging.handle(operation, input, ctx),
    },
    {
      // REST-JSON like App Mesh, its request URIs not under one base path (/services, /servicenetworks,
      // /targetgroups, /accesslogsubscriptions, /authpolicy, /tags, …): the paths tell it apart. Its model declares
      // the status of each error; a request the model refuses is ValidationException (400), throttling
      // ThrottlingException (429), an internal failure InternalServerException (500), as the model names them.
      name: 'vpclattice',
      model: models.vpclattice,
      protocol: restJsonProtocol(models.vpclattice, 'ValidationException'),
      missingAuthenticationStatus: 403,
      validationError: 'ValidationException',
      internalError: { type: 'InternalServerException', status: 500 },
      throttlingError: { type: 'ThrottlingException', status: 429 },
      handle: (operation, input, ctx) => services.vpclattice.handle(operation, input, ctx),
    },
    {
      // AWS query like CloudFormation, signed for `elasticloadbalancing`. Its client errors are the model's
      // exception shapes, answered with the codes the model gives them (PriorityInUse, …, HTTP 400); what the
      // model's shapes refuse is `ValidationError` (HTTP 400); throttling `Throttling` and an internal failure
      // `InternalFailure` (HTTP 500), the AWS query APIs' common error codes.
      name: 'elbv2',
      model: models.elbv2,
      protocol: queryProtocol(models.elbv2),
      missingAuthenticationStatus: 403,
      validationError: 'ValidationError',
      internalError: { type: 'InternalFailure', status: 500 },
      throttlingError: { type: 'Throttling', status: 400 },
      handle: (operation, input, ctx) => services.elbv2.handle(operation, input, ctx),
    },
  ];
}

/** What the faults need of each service, from its entry. */
export function serviceFacts(table: readonly ServiceEntry[]): (service: ServiceName) => ServiceFacts {
  const facts = new Map<ServiceName, ServiceFacts>(
    table.map((s) => [
      s.name,
      {
        operations: Object.keys(s.model.operations),
        internalError: s.internalError,
        throttlingError: s.throttlingError,
      },
    ]),
  );
  return (service) => {
    const known = facts.get(service);
    if (!known) throw new Error(`emulator bug: no service ${service} in the table`);
    return known;
  };
}
