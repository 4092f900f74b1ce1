import { createLogger, type LogLevel, levelFromEnvironment } from '../../lambda/log';

const capture = (minLevel: LogLevel = 'debug') => {
  const lines: Record<string, unknown>[] = [];
  return {
    lines,
    log: createLogger({ service: 'mesh-service-provider' }, (l) => lines.push(JSON.parse(l)), minLevel),
  };
};

describe('GIVEN the provider logger', () => {
  test('WHEN it logs THEN each line has the Powertools field names: timestamp (RFC 3339), upper-case level, message, service', () => {
    const { lines, log } = capture();
    log.child({ requestId: 'cfn-1', function_request_id: 'lambda-1' }).warn('slow call', { ms: 1200 });
    expect(lines).toEqual([
      {
        timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
        level: 'WARN',
        message: 'slow call',
        service: 'mesh-service-provider',
        requestId: 'cfn-1',
        function_request_id: 'lambda-1',
        ms: 1200,
      },
    ]);
    expect(Object.keys(lines[0]!).slice(0, 3)).toEqual(['timestamp', 'level', 'message']);
  });

  test.each([
    ['debug', 'DEBUG'],
    ['info', 'INFO'],
    ['warn', 'WARN'],
    ['error', 'ERROR'],
  ] as const)(
    'WHEN it logs at %s THEN the level is %s (the names Lambda log-level filtering reads)',
    (level, name) => {
      const { lines, log } = capture();
      log[level]('x');
      expect(lines[0]!.level).toBe(name);
    },
  );

  test('WHEN fields are named level or message THEN they cannot hide the real ones', () => {
    const { lines, log } = capture();
    log.info('real', { level: 'DEBUG', message: 'fake' });
    expect(lines[0]).toEqual(expect.objectContaining({ level: 'INFO', message: 'real' }));
  });

  test('WHEN a message or field holds a presigned URL THEN its credentials are redacted', () => {
    const { lines, log } = capture();
    log.error('PUT https://b.s3.amazonaws.com/k?X-Amz-Signature=abc&X-Amz-Credential=def failed', {
      ResponseURL: 'https://x',
    });
    expect(JSON.stringify(lines[0])).not.toMatch(/abc|def|https:\/\/x/);
  });

  test('WHEN the minimum level is warn THEN info and debug are dropped', () => {
    const { lines, log } = capture('warn');
    log.debug('a');
    log.info('b');
    log.error('c');
    expect(lines.map((l) => l.message)).toEqual(['c']);
  });

  test.each([
    [{ LOG_LEVEL: 'DEBUG' }, 'debug'],
    [{ AWS_LAMBDA_LOG_LEVEL: 'WARN' }, 'warn'],
    [{ AWS_LAMBDA_LOG_LEVEL: 'TRACE' }, 'debug'],
    [{ LOG_LEVEL: 'error', AWS_LAMBDA_LOG_LEVEL: 'DEBUG' }, 'error'],
    [{}, 'info'],
  ])('WHEN the environment is %j THEN the minimum level is %s', (env, level) => {
    expect(levelFromEnvironment(env)).toBe(level);
  });
});
