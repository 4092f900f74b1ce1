/** The committed CloudFormation model (emulator/models/cloudformation-2010-05-15.json, see extract-aws-models.mjs). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceModel } from '../model/model';

let cached: ServiceModel | undefined;

export function loadCloudFormationModel(): ServiceModel {
  cached ??= JSON.parse(
    readFileSync(join(__dirname, '..', 'models', 'cloudformation-2010-05-15.json'), 'utf8'),
  ) as ServiceModel;
  return cached;
}

/** The values of one of the model's enum shapes (StackStatus, ResourceStatus). */
export function enumValues(model: ServiceModel, shape: string): readonly string[] {
  const values = model.shapes[shape]?.enum;
  if (!values) throw new Error(`shape ${shape} is not an enum of the CloudFormation model`);
  return values;
}
