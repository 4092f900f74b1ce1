/**
 * What ECS checks of a service's deployment settings and of the Service Connect fields that ECS-native rollouts use,
 * beyond the model (which has already checked shapes, enums and required members). Pure: each function throws the
 * error ECS answers, InvalidParameterException, or returns. Wordings are ours; the rules are ECS's, quoted from the
 * API reference (python3-botocore 1.43.117's model documentation, and docs.aws.amazon.com/AmazonECS/latest/APIReference):
 *
 * - CanaryConfiguration: "This is only valid when you run CreateService or UpdateService with deploymentController
 *   set to ECS and a deploymentConfiguration with a strategy set to CANARY"; canaryPercent "Valid values are
 *   multiples of 0.1 from 0.1 to 100.0"; canaryBakeTimeInMinutes "Valid values are 0 to 1440 minutes (24 hours)".
 * - LinearConfiguration: the same for LINEAR; stepPercent "Valid values are multiples of 0.1 from 3.0 to 100.0";
 *   stepBakeTimeInMinutes "Valid values are 0 to 1440 minutes (24 hours)".
 * - DeploymentConfiguration.bakeTimeInMinutes: "You must provide this parameter when you use the BLUE_GREEN
 *   deployment strategy."
 * - DeploymentConfiguration.deploymentCircuitBreaker: "The deployment circuit breaker can only be used for services
 *   using the rolling update (ECS) deployment type."
 * - ServiceConnectConfiguration.accessLogConfiguration: "To enable access logs, you must also specify a
 *   logConfiguration in the serviceConnectConfiguration."
 * - ServiceConnectTlsConfiguration: the issuer is an AWS Private CA (ServiceConnectTlsCertificateAuthority
 *   awsPcaAuthorityArn, "The ARN of the Amazon Web Services Private Certificate Authority certificate"): our reading is
 *   that it must be given and be an `acm-pca` certificate-authority ARN.
 */
import { ecsErrors } from '../errors';
import { isPlainObject, type JsonObject } from '../util';

const invalid = ecsErrors.invalidParameter;

/** The strategies only the ECS deployment controller runs. */
const ECS_NATIVE = new Set(['BLUE_GREEN', 'LINEAR', 'CANARY']);

const isTenth = (v: number) => Math.abs(v * 10 - Math.round(v * 10)) < 1e-9;

function percent(value: unknown, member: string, min: number): void {
  if (typeof value !== 'number') return;
  if (value < min || value > 100 || !isTenth(value)) {
    throw invalid(
      `${member} must be one of the valid values, multiples of 0.1 from ${min.toFixed(1)} to 100.0; got ${value}.`,
    );
  }
}

function bakeMinutes(value: unknown, member: string): void {
  if (typeof value !== 'number') return;
  if (value < 0 || value > 1440 || !Number.isInteger(value)) {
    throw invalid(`${member} must be one of the valid values, 0 to 1440 minutes (24 hours); got ${value}.`);
  }
}

/**
 * A service's deploymentConfiguration under its deployment controller (undefined: ECS, the default). `previous` is
 * the configuration an UpdateService starts from, whose strategy holds when the update gives none.
 */
export function checkDeploymentConfiguration(
  config: JsonObject,
  controller: string | undefined,
  previous?: JsonObject,
): void {
  const strategy = String(config.strategy ?? previous?.strategy ?? 'ROLLING');
  if (ECS_NATIVE.has(strategy) && controller !== undefined && controller !== 'ECS') {
    throw invalid(
      `The ${strategy} deployment strategy needs the deploymentController ECS; this service's controller is ${controller}.`,
    );
  }
  if (config.canaryConfiguration !== undefined && strategy !== 'CANARY') {
    throw invalid(
      `canaryConfiguration is only valid with a deploymentConfiguration whose strategy is CANARY; the strategy is ${strategy}.`,
    );
  }
  if (config.linearConfiguration !== undefined && strategy !== 'LINEAR') {
    throw invalid(
      `linearConfiguration is only valid with a deploymentConfiguration whose strategy is LINEAR; the strategy is ${strategy}.`,
    );
  }
  const canary = isPlainObject(config.canaryConfiguration) ? config.canaryConfiguration : undefined;
  percent(canary?.canaryPercent, 'canaryConfiguration.canaryPercent', 0.1);
  bakeMinutes(canary?.canaryBakeTimeInMinutes, 'canaryConfiguration.canaryBakeTimeInMinutes');
  const linear = isPlainObject(config.linearConfiguration) ? config.linearConfiguration : undefined;
  percent(linear?.stepPercent, 'linearConfiguration.stepPercent', 3);
  bakeMinutes(linear?.stepBakeTimeInMinutes, 'linearConfiguration.stepBakeTimeInMinutes');
  if (strategy === 'BLUE_GREEN' && config.bakeTimeInMinutes === undefined) {
    throw invalid(
      'bakeTimeInMinutes: you must provide this parameter when you use the BLUE_GREEN deployment strategy.',
    );
  }
  if (config.deploymentCircuitBreaker !== undefined && strategy !== 'ROLLING') {
    throw invalid(
      `The deployment circuit breaker can only be used for services using the rolling update (ECS) deployment type; the strategy is ${strategy}.`,
    );
  }
}

/** The Service Connect fields of a rollout: access logs and TLS (test traffic rules are the model's). */
export function checkServiceConnectExtras(config: JsonObject): void {
  if (config.accessLogConfiguration !== undefined && config.logConfiguration === undefined) {
    throw invalid(
      'To enable access logs (accessLogConfiguration), you must also specify a logConfiguration in the serviceConnectConfiguration.',
    );
  }
  const services = Array.isArray(config.services) ? config.services.filter(isPlainObject) : [];
  for (const sc of services) {
    if (!isPlainObject(sc.tls)) continue;
    const issuer = isPlainObject(sc.tls.issuerCertificateAuthority) ? sc.tls.issuerCertificateAuthority : {};
    const arn = issuer.awsPcaAuthorityArn;
    if (typeof arn !== 'string' || !/^arn:[^:]+:acm-pca:[^:]+:\d{12}:certificate-authority\/.+$/.test(arn)) {
      throw invalid(
        `The Service Connect TLS of ${String(sc.discoveryName ?? sc.portName)} needs issuerCertificateAuthority.awsPcaAuthorityArn, the ARN of an AWS Private CA (arn:aws:acm-pca:<region>:<account>:certificate-authority/<id>); got ${arn === undefined ? 'none' : String(arn)}.`,
      );
    }
  }
}
