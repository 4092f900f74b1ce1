/**
 * Structured JSON logs, one object per line on stdout (CloudWatch Logs keeps each line as an event).
 * The event's ResponseURL is a presigned S3 URL, i.e. a secret: it is never a log field, and any presigned-URL
 * query that reaches a message (an SDK error echoing a URL, say) is redacted before writing.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
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
  minLevel: LogLevel = (process.env.LOG_LEVEL?.toLowerCase() as LogLevel | undefined) ?? 'info',
): Logger {
  const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
  const threshold = order[minLevel] ?? 1;
  const emit = (level: LogLevel, message: string, fields?: LogFields) => {
    if (order[level] < threshold) return;
    const entry = sanitize({ level, time: new Date().toISOString(), message, ...base, ...fields });
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
