/**
 * The App Mesh backend's part of the contract: it adds no property, and of the Gateway it takes the virtual gateway
 * (`Gateway.VirtualGatewayName`, required) and refuses the fields of an Application Load Balancer listener rule, which
 * are Service Connect's (lambda/serviceconnect/ingress.ts), as it refuses a version's Lattice target group
 * (`Versions[].TargetGroupName`). Pure; tolerant of Unresolved values.
 */
import type { BackendContract, CoreProps } from '../contract/properties';
import { known, type Report } from '../contract/values';
import { refuseTargetGroupNames } from '../contract/versions';

/** Gateway fields of the Service Connect ingress (an ALB listener rule), which App Mesh has no use for. */
export const ALB_GATEWAY_FIELDS = ['ListenerArn', 'VpcId', 'RulePriority'] as const;

export function appMeshRules(p: CoreProps, report: Report): void {
  refuseTargetGroupNames(p.Versions, report);
  if (!known(p.Gateway)) return;
  const g = p.Gateway;
  if (g.VirtualGatewayName === undefined)
    report(
      'Gateway.VirtualGatewayName',
      'required with Backend AppMesh: the virtual gateway that takes the gateway route (ListenerArn is for Backend ServiceConnect)',
    );
  for (const key of ALB_GATEWAY_FIELDS) {
    if (g[key] !== undefined)
      report(
        `Gateway.${key}`,
        `only with Backend ServiceConnect (an Application Load Balancer listener rule); App Mesh takes the gateway route on Gateway.VirtualGatewayName: remove ${key}`,
      );
  }
}

export const appMeshContract = {
  name: 'AppMesh',
  fields: {},
  rules: appMeshRules,
} as const satisfies BackendContract<Record<string, never>>;
