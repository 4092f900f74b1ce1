/**
 * Structured JSON logs, one object per line on stdout (CloudWatch Logs keeps each line as an event), with the field
 * names of Powertools for AWS Lambda's logger: `timestamp` (RFC 3339), `level` (DEBUG, INFO, WARN, ERROR),
 * `message`, `service`, `function_request_id` (Lambda's request id; CloudFormation's is `requestId`). Lambda's JSON
 * log format reads `level` and `timestamp` from such lines (application log-level filtering), and Logs Insights
 * queries written for Powertools work unchanged (docs/operations.md).
 * The event's ResponseURL is a presigned S3 URL, i.e. a secret: it is never a log field, and any presigned-URL
 * query that reaches a message (an SDK error echoing a URL, say) is redacted before writing.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<LogLevel, { order: number; name: string }> = {
  debug: { order: 0, name: 'DEBUG' },
  info: { order: 1, name: 'INFO' },
  warn: { order: 2, name: 'WARN' },
  error: { order: 3, name: 'ERROR' },
};

/** LOG_LEVEL, else the level Lambda sets from the function's application log level (AWS_LAMBDA_LOG_LEVEL); info. */
export function levelFromEnvironment(env: NodeJS.ProcessEnv = process.env): LogLevel {
  for (const raw of [env.LOG_LEVEL, env.AWS_LAMBDA_LOG_LEVEL]) {
    const level = raw?.toLowerCase();
    if (level === 'trace') return 'debug';
    if (level === 'fatal') return 'error';
    if (level && level in LEVELS) return level as LogLevel;
  }
  return 'info';
}
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const SIGNED_QUERY =
  /([?&])(X-Amz-[A-Za-z-]+|Signature|AWSAccessKeyId|Expires|x-amz-security-token)=[^&\s"']*/gi;
const SECRET_KEYS = /^(responseurl|authorization|secretaccesskey|sessiontoken|password|secret)$/i;

/** Removes presigned-URL credentials from a string. */
export function redact(text: string): string {
  return text.replace(SIGNED_QUERY, '$1$2=REDACTED');
}

function sanitize(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redact(value);
  if (value instanceof Error) return { name: value.name, message: redact(value.message) };
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => sanitize(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    out[k] = SECRET_KEYS.test(k) ? 'REDACTED' : sanitize(v, depth + 1);
  return out;
}

export function createLogger(
  base: LogFields = {},
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  minLevel: LogLevel = levelFromEnvironment(),
): Logger {
  const threshold = (LEVELS[minLevel] ?? LEVELS.info).order;
  const emit = (level: LogLevel, message: string, fields?: LogFields) => {
    if (LEVELS[level].order < threshold) return;
    // The standard keys first and last-writer-wins for them: a field named level or message cannot hide them.
    const entry = sanitize({
      timestamp: new Date().toISOString(),
      level: LEVELS[level].name,
      message,
      ...base,
      ...fields,
    }) as Record<string, unknown>;
    entry.level = LEVELS[level].name;
    entry.message = redact(message);
    write(JSON.stringify(entry));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger({ ...base, ...fields }, write, minLevel),
  };
}
