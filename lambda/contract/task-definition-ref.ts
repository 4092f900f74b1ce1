/** A task definition as a template names it: a full ARN, `family:revision`, or a bare `family`. */
export interface TaskDefinitionRef {
  readonly family: string;
  /** Undefined for a bare family (ECS resolves it to the latest ACTIVE revision). */
  readonly revision?: number;
  /** The text as given. */
  readonly text: string;
}

const FAMILY = '[A-Za-z0-9_-]{1,255}';
const ARN = new RegExp(`^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\\d{12}:task-definition/(${FAMILY}):(\\d{1,10})$`);
const SHORT = new RegExp(`^(${FAMILY})(?::(\\d{1,10}))?$`);

export function parseTaskDefinitionRef(text: string): TaskDefinitionRef | undefined {
  const m = ARN.exec(text) ?? SHORT.exec(text);
  if (!m) return undefined;
  const revision = m[2] === undefined ? undefined : Number(m[2]);
  if (revision !== undefined && revision < 1) return undefined;
  return revision === undefined ? { family: m[1]!, text } : { family: m[1]!, revision, text };
}
