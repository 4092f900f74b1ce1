/**
 * Rollouts on Service Connect: what App Mesh did with a standing weighted split of two versions, ECS does with a
 * deployment of one ECS service (docs/migration.md). ECS-native CANARY, LINEAR and BLUE_GREEN deployments shift the
 * traffic of the service's Service Connect clients from the running revision to the new one, bake, then finish; a
 * test-traffic header sends matching requests to the new revision meanwhile. So two `Versions`, one lighter, become
 * a rollout to the lighter one (the new revision), and the resource returns the `DeploymentConfiguration` scalars
 * for the template to wire into its AWS::ECS::Service. What only a lasting split can do — equal weights, three
 * versions, uneven steps, task counts per version — stays refused, pointing to the VPC Lattice backend.
 *
 * Ranges (ECS API reference): CanaryPercent "multiples of 0.1 from 0.1 to 100.0" (default 5.0),
 * CanaryBakeTimeInMinutes "0 to 1440" (default 10); StepPercent "multiples of 0.1 from 3.0 to 100.0" (default 10.0),
 * StepBakeTimeInMinutes "0 to 1440" (default 6); BakeTimeInMinutes "You must provide this parameter when you use the
 * BLUE_GREEN deployment strategy". CloudFormation (AWS::ECS::Service CanaryConfiguration, LinearConfiguration)
 * "rejects deployments when the calculated deployment time exceeds 33 hours": BakeTimeInMinutes +
 * CanaryBakeTimeInMinutes, or BakeTimeInMinutes + StepBakeTimeInMinutes × steps, where steps is 100 ÷ StepPercent − 1
 * when StepPercent divides 100 evenly, and the floor of 100 ÷ StepPercent otherwise. Pure.
 */
import type { AttributeDoc } from '../contract/attributes';
import { int, num, oneOf, optional, required, str, struct, withDefault } from '../contract/dsl';
import type { RouteProps, VersionProps } from '../contract/properties';
import { known, type Report } from '../contract/values';

export const ROLLOUT_STRATEGIES = ['CANARY', 'LINEAR', 'BLUE_GREEN'] as const;
export type RolloutStrategy = (typeof ROLLOUT_STRATEGIES)[number];

/** ECS's defaults when a configuration leaves them out (CanaryConfiguration, LinearConfiguration). */
export const ECS_ROLLOUT_DEFAULTS = {
  canaryPercent: 5,
  canaryBake: 10,
  stepPercent: 10,
  stepBake: 6,
} as const;
/** CloudFormation refuses a canary or linear deployment whose calculated time exceeds 33 hours. */
export const MAX_TOTAL_BAKE_MINUTES = 33 * 60;
/** ECS: "Valid values are 0 to 1440 minutes (24 hours)". */
const BAKE = () => int({ min: 0, max: 1440 });

export const TestTrafficHeader = struct(
  'TestTrafficHeader',
  {
    Name: required(str({ min: 1, max: 50 }), {
      description: 'The header that marks test traffic (e.g. `x-canary`).',
      update: 'in-place',
    }),
    Value: required(str({ min: 1, max: 255 }), {
      description: 'The exact value a request carries to be sent to the new revision.',
      update: 'in-place',
    }),
  },
  {
    description:
      'Requests with this header and value go to the new revision during a deployment (`ClientAliases[].TestTrafficRules.Header`).',
  },
);

export const Rollout = struct(
  'Rollout',
  {
    Strategy: withDefault(oneOf(...ROLLOUT_STRATEGIES), 'CANARY', {
      description:
        "The ECS deployment strategy (`DeploymentConfiguration.Strategy`, with `DeploymentController: {Type: ECS}`): CANARY shifts Percent, bakes StepBakeMinutes, then shifts the rest; LINEAR shifts Percent per step, baking StepBakeMinutes between steps; BLUE_GREEN shifts everything at once. The new revision is the ECS service's next task definition (with two Versions, the lighter one's).",
      update: 'in-place',
    }),
    Percent: optional(num({ min: 0.1, max: 100 }), {
      description:
        'CANARY: `CanaryPercent` (0.1-100 in steps of 0.1); LINEAR: `StepPercent` (3-100 in steps of 0.1). Not with two Versions, whose weights give it, nor with BLUE_GREEN.',
      defaultDoc:
        "the lighter version's share of the weights; without Versions, ECS's default (5.0, LINEAR 10.0)",
      update: 'in-place',
    }),
    StepBakeMinutes: optional(BAKE(), {
      description:
        'CANARY: `CanaryBakeTimeInMinutes`; LINEAR: `StepBakeTimeInMinutes` (0-1440). Not with BLUE_GREEN.',
      defaultDoc: "ECS's default (CANARY 10, LINEAR 6)",
      update: 'in-place',
    }),
    BakeMinutes: optional(BAKE(), {
      description:
        '`BakeTimeInMinutes`: how long both revisions run once production traffic has shifted (0-1440); required with BLUE_GREEN. With CANARY and LINEAR the whole bake time may not exceed CloudFormation’s 33 hours.',
      update: 'in-place',
    }),
    TestTrafficHeader: optional(TestTrafficHeader, {
      description:
        'Test traffic: requests with this exact header go to the new revision during a deployment (`TestTrafficRules`). An exact-header route to the new version gives the same.',
      update: 'in-place',
    }),
  },
  {
    description:
      'An ECS-native rollout of the ECS service (Backend: ServiceConnect): the `DeploymentConfiguration` the resource returns for `Fn::GetAtt` (docs/migration.md).',
    refine: (r, report) => {
      const strategy = known(r.Strategy) ? r.Strategy : 'CANARY';
      if (known(r.Percent) && Math.abs(r.Percent * 10 - Math.round(r.Percent * 10)) > 1e-9)
        report('Percent', `ECS takes multiples of 0.1; got ${r.Percent}`);
      if (strategy === 'LINEAR' && known(r.Percent) && r.Percent < 3)
        report('Percent', `a LINEAR step (StepPercent) is 3-100; got ${r.Percent}`);
      if (strategy === 'BLUE_GREEN') {
        if (r.Percent !== undefined)
          report(
            'Percent',
            'BLUE_GREEN shifts all traffic at once; remove Percent (or use CANARY or LINEAR)',
          );
        if (r.StepBakeMinutes !== undefined)
          report(
            'StepBakeMinutes',
            'BLUE_GREEN has no steps; remove StepBakeMinutes (BakeMinutes is its bake)',
          );
        if (r.BakeMinutes === undefined)
          report(
            'BakeMinutes',
            'ECS requires BakeTimeInMinutes with the BLUE_GREEN strategy; give BakeMinutes',
          );
      }
    },
  },
);

/** The part of the properties the rollout rules read. */
interface RolloutView {
  readonly Versions?: readonly VersionProps[];
  readonly Routes?: readonly RouteProps[];
  readonly ServiceConnect?: { readonly Rollout?: RolloutProps };
}
type RolloutProps = {
  readonly Strategy?: RolloutStrategy;
  readonly Percent?: number;
  readonly StepBakeMinutes?: number;
  readonly BakeMinutes?: number;
  readonly TestTrafficHeader?: { readonly Name: string; readonly Value: string };
};

export const STEADY_SPLIT =
  'a standing split of versions (a lasting share, uneven steps, a task count per version) has no equivalent on Service Connect, where a split exists only while one ECS service deploys its new revision: use the VPC Lattice backend (Backend: VpcLattice, coming), whose weighted target groups hold a split';

/** The index of the lighter version (the new revision), when both weights are known and differ. */
function lighterOf(versions: readonly VersionProps[]): number | undefined {
  const [a, b] = versions.map((v) => (known(v) ? v.Weight : undefined));
  if (!known(a) || !known(b) || a === b) return undefined;
  return a < b ? 0 : 1;
}

/** The new version's share, in percent, rounded to ECS's 0.1. */
function shareOf(versions: readonly VersionProps[], lighter: number): number {
  const weights = versions.map((v) => v.Weight!);
  return Math.round((weights[lighter]! / (weights[0]! + weights[1]!)) * 1000) / 10;
}

/**
 * The route that is test traffic: an exact match of one header, nothing else, sent whole to one version. Such a
 * route maps to `TestTrafficRules`; any other is refused by the Service Connect rules.
 */
export function testTrafficRouteIndex(p: RolloutView): number | undefined {
  if (!known(p.Routes) || p.Routes.length < 2) return undefined;
  const i = p.Routes.findIndex((r) => {
    if (!known(r) || !known(r.Match) || !known(r.Targets)) return false;
    const m = r.Match;
    const others = Object.entries(m).filter(([k, v]) => k !== 'Headers' && v !== undefined && k !== 'Port');
    const headers = known(m.Headers) ? m.Headers : [];
    const [h] = headers;
    return (
      others.length === 0 &&
      headers.length === 1 &&
      known(h) &&
      h.Exact !== undefined &&
      h.Invert !== true &&
      r.Targets.length === 1
    );
  });
  return i < 0 ? undefined : i;
}

/** Which of the two versions the rollout shifts to, naming the property when it cannot be told. */
function rolloutVersionRules(p: RolloutView, versions: readonly VersionProps[], report: Report): void {
  if (versions.length > 2) {
    report(
      'Versions',
      `Service Connect rolls out one new version at a time: give two Versions; ${STEADY_SPLIT}`,
    );
    return;
  }
  const rollout =
    known(p.ServiceConnect) && known(p.ServiceConnect.Rollout) ? p.ServiceConnect.Rollout : undefined;
  const strategy = rollout && known(rollout.Strategy) ? rollout.Strategy : 'CANARY';
  const [a, b] = versions.map((v) => (known(v) ? v.Weight : undefined));
  if (known(a) && known(b) && a === b) {
    report(
      'Versions',
      `equal weights (${a}/${b}) say neither is the new version: a rollout shifts traffic to a lighter one (the canary), e.g. 90/10; ${STEADY_SPLIT}`,
    );
    return;
  }
  if (rollout?.Percent !== undefined)
    report(
      'ServiceConnect.Rollout.Percent',
      "with two Versions their weights give the percent (the lighter version's share); remove Percent",
    );
  const lighter = lighterOf(versions);
  if (lighter === undefined || versions[lighter]!.Weight === 0) return;
  const share = shareOf(versions, lighter);
  if (strategy === 'LINEAR' && share < 3)
    report(
      `Versions[${lighter}].Weight`,
      `a LINEAR step (StepPercent) is 3-100 percent; the weights give ${share}`,
    );
  if (strategy === 'BLUE_GREEN')
    report(
      `Versions[${lighter}].Weight`,
      'BLUE_GREEN shifts all traffic at once: give the new version weight 0 before the deployment and the old one 0 after it, or use CANARY or LINEAR',
    );
}

/** CloudFormation's 33-hour limit on a canary's or a linear deployment's calculated time. */
function totalBakeRule(rollout: RolloutProps, stepPercent: number | undefined, report: Report): void {
  const strategy = known(rollout.Strategy) ? rollout.Strategy : 'CANARY';
  if (strategy === 'BLUE_GREEN') return;
  const bake = known(rollout.BakeMinutes) ? rollout.BakeMinutes : 0;
  const canary = strategy === 'CANARY';
  const step = known(rollout.StepBakeMinutes)
    ? rollout.StepBakeMinutes
    : canary
      ? ECS_ROLLOUT_DEFAULTS.canaryBake
      : ECS_ROLLOUT_DEFAULTS.stepBake;
  if (!canary && stepPercent === undefined) return;
  const steps = canary ? 1 : linearSteps(stepPercent!);
  const total = bake + step * steps;
  if (total > MAX_TOTAL_BAKE_MINUTES) {
    const formula = canary
      ? `BakeMinutes ${bake} + StepBakeMinutes ${step}`
      : `BakeMinutes ${bake} + StepBakeMinutes ${step} × ${steps} steps`;
    report(
      'ServiceConnect.Rollout',
      `the deployment's calculated time is ${formula} = ${total} minutes; CloudFormation rejects a ${strategy} deployment over 33 hours (${MAX_TOTAL_BAKE_MINUTES} minutes): shorten the bake times${canary ? '' : ' or take larger steps'}`,
    );
  }
}

/** CloudFormation's count of a linear deployment's steps. */
export function linearSteps(stepPercent: number): number {
  const ratio = 100 / stepPercent;
  return Math.abs(ratio - Math.round(ratio)) < 1e-9 ? Math.round(ratio) - 1 : Math.floor(ratio);
}

/**
 * The rollout's rules, run by the Service Connect rules for every template with `Backend: ServiceConnect`: which
 * versions can be a rollout, CloudFormation's 33 hours, and the test-traffic route.
 */
export function rolloutRules(p: RolloutView, report: Report): void {
  const versions = known(p.Versions) ? p.Versions : undefined;
  if (versions && versions.length > 1) rolloutVersionRules(p, versions, report);
  const rollout =
    known(p.ServiceConnect) && known(p.ServiceConnect.Rollout) ? p.ServiceConnect.Rollout : undefined;
  const lighter = versions && versions.length === 2 ? lighterOf(versions) : undefined;
  const derived =
    lighter !== undefined && versions![lighter]!.Weight !== 0 ? shareOf(versions!, lighter) : undefined;
  if (rollout) {
    const percent = derived ?? (known(rollout.Percent) ? rollout.Percent : ECS_ROLLOUT_DEFAULTS.stepPercent);
    totalBakeRule(rollout, percent, report);
  }
  const route = testTrafficRouteIndex(p);
  if (route === undefined) return;
  const at = `Routes[${route}]`;
  if (versions?.length !== 2) {
    report(
      `${at}.Match.Headers`,
      'a header route is test traffic on Service Connect, sent to the new revision of a rollout: give two Versions (the lighter one is the new revision) or remove the route',
    );
    return;
  }
  if (rollout?.TestTrafficHeader !== undefined)
    report(
      `${at}.Match.Headers`,
      'test traffic is already ServiceConnect.Rollout.TestTrafficHeader; give one of them',
    );
  const target = p.Routes![route]!.Targets![0];
  const newName = lighter !== undefined ? versions[lighter]!.Name : undefined;
  if (known(target) && known(target.Version) && known(newName) && target.Version !== newName)
    report(
      `${at}.Targets[0].Version`,
      `test traffic goes to the new revision, the lighter version "${newName}"; target it, or remove the route`,
    );
}

/** The rollout of the model: what the ECS service's DeploymentConfiguration is wired to. */
export interface RolloutModel {
  readonly strategy: RolloutStrategy;
  /** CANARY: CanaryPercent; LINEAR: StepPercent. */
  readonly percent?: number;
  /** CANARY: CanaryBakeTimeInMinutes; LINEAR: StepBakeTimeInMinutes. */
  readonly stepBakeMinutes?: number;
  readonly bakeMinutes?: number;
  readonly testTraffic?: { readonly name: string; readonly value: string };
  /** With two Versions: the index of the version the ECS service runs (the lighter one, unless it weighs 0). */
  readonly runs?: number;
}

/** The rollout the properties declare (they passed the contract), if any. */
export function rolloutModel(p: RolloutView): RolloutModel | undefined {
  const rollout = p.ServiceConnect?.Rollout;
  const versions = p.Versions && p.Versions.length === 2 ? p.Versions : undefined;
  if (!rollout && !versions) return undefined;
  const strategy = rollout?.Strategy ?? 'CANARY';
  const lighter = versions ? lighterOf(versions) : undefined;
  const moving = lighter !== undefined && versions![lighter]!.Weight !== 0;
  const derived = moving ? shareOf(versions!, lighter) : undefined;
  const percent =
    strategy === 'BLUE_GREEN'
      ? undefined
      : (derived ??
        rollout?.Percent ??
        (strategy === 'CANARY' ? ECS_ROLLOUT_DEFAULTS.canaryPercent : ECS_ROLLOUT_DEFAULTS.stepPercent));
  const stepBakeMinutes =
    strategy === 'BLUE_GREEN'
      ? undefined
      : (rollout?.StepBakeMinutes ??
        (strategy === 'CANARY' ? ECS_ROLLOUT_DEFAULTS.canaryBake : ECS_ROLLOUT_DEFAULTS.stepBake));
  const route = testTrafficRouteIndex(p);
  const header = route !== undefined ? p.Routes![route]!.Match!.Headers![0]! : undefined;
  const testTraffic = rollout?.TestTrafficHeader
    ? { name: rollout.TestTrafficHeader.Name, value: rollout.TestTrafficHeader.Value }
    : header
      ? { name: header.Name, value: header.Exact! }
      : undefined;
  const runs = versions && lighter !== undefined ? (moving ? lighter : 1 - lighter) : undefined;
  return {
    strategy,
    ...(percent !== undefined ? { percent } : {}),
    ...(stepBakeMinutes !== undefined ? { stepBakeMinutes } : {}),
    ...(rollout?.BakeMinutes !== undefined ? { bakeMinutes: rollout.BakeMinutes } : {}),
    ...(testTraffic ? { testTraffic } : {}),
    ...(runs !== undefined ? { runs } : {}),
  };
}

export const ROLLOUT_ATTRIBUTES: readonly AttributeDoc[] = [
  {
    name: 'DeploymentStrategy',
    description:
      'Service Connect rollout: `DeploymentConfiguration.Strategy` (CANARY, LINEAR, BLUE_GREEN), with `DeploymentController: {Type: ECS}`.',
    presentWhen: 'Backend is ServiceConnect with ServiceConnect.Rollout or two Versions',
  },
  {
    name: 'CanaryPercent',
    description:
      "Service Connect rollout: `CanaryConfiguration.CanaryPercent` — the lighter version's share of the weights, Rollout.Percent, or ECS's default 5.",
    presentWhen: 'the rollout is CANARY',
  },
  {
    name: 'CanaryBakeTimeInMinutes',
    description:
      "Service Connect rollout: `CanaryConfiguration.CanaryBakeTimeInMinutes` — Rollout.StepBakeMinutes or ECS's default 10.",
    presentWhen: 'the rollout is CANARY',
  },
  {
    name: 'StepPercent',
    description:
      "Service Connect rollout: `LinearConfiguration.StepPercent` — the lighter version's share of the weights, Rollout.Percent, or ECS's default 10.",
    presentWhen: 'the rollout is LINEAR',
  },
  {
    name: 'StepBakeTimeInMinutes',
    description:
      "Service Connect rollout: `LinearConfiguration.StepBakeTimeInMinutes` — Rollout.StepBakeMinutes or ECS's default 6.",
    presentWhen: 'the rollout is LINEAR',
  },
  {
    name: 'BakeTimeInMinutes',
    description:
      'Service Connect rollout: `DeploymentConfiguration.BakeTimeInMinutes` — Rollout.BakeMinutes.',
    presentWhen: 'ServiceConnect.Rollout.BakeMinutes is given',
  },
  {
    name: 'TestTrafficHeaderName',
    description:
      'Service Connect rollout: `ClientAliases[].TestTrafficRules.Header.Name` — Rollout.TestTrafficHeader.Name, or the header of the exact-header route to the new version.',
    presentWhen: 'the rollout has test traffic',
  },
  {
    name: 'TestTrafficHeaderValue',
    description: 'Service Connect rollout: `ClientAliases[].TestTrafficRules.Header.Value.Exact`.',
    presentWhen: 'the rollout has test traffic',
  },
];

/** The rollout's attributes (numbers as CloudFormation's strings). */
export function rolloutAttributes(rollout: RolloutModel | undefined): Record<string, string> {
  if (!rollout) return {};
  const out: Record<string, string> = { DeploymentStrategy: rollout.strategy };
  const canary = rollout.strategy === 'CANARY';
  if (rollout.percent !== undefined) out[canary ? 'CanaryPercent' : 'StepPercent'] = String(rollout.percent);
  if (rollout.stepBakeMinutes !== undefined)
    out[canary ? 'CanaryBakeTimeInMinutes' : 'StepBakeTimeInMinutes'] = String(rollout.stepBakeMinutes);
  if (rollout.bakeMinutes !== undefined) out.BakeTimeInMinutes = String(rollout.bakeMinutes);
  if (rollout.testTraffic) {
    out.TestTrafficHeaderName = rollout.testTraffic.name;
    out.TestTrafficHeaderValue = rollout.testTraffic.value;
  }
  return out;
}
