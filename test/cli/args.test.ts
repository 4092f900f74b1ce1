/** The commands' one parser (cli/args.ts), as a table: what it returns, and what it refuses in which words. */
import { backendChoices, type CommandSpec, cliSpelling, parseCommand, UsageError } from '../../cli/args';
import { BACKENDS } from '../../lambda/backends';

const SPEC: CommandSpec = {
  name: 'tool run',
  usage: 'usage: tool run',
  flags: {
    backend: { type: 'string', value: '<backend>', default: 'AppMesh', choices: backendChoices() },
    format: { type: 'string', short: 'f', choices: { text: 'text', json: 'json' } },
    family: { type: 'string', multiple: true },
    apply: { type: 'boolean' },
  },
  positionals: { name: 'file', min: 0, max: 1 },
};

const refusal = (args: string[]) => {
  try {
    parseCommand(SPEC, args);
  } catch (e) {
    if (e instanceof UsageError) return e.message;
    throw e;
  }
  return 'accepted';
};

describe('GIVEN the registry of backends', () => {
  test('THEN each is accepted in the template spelling and the command-line one, and stands for its Backend value', () => {
    for (const { name } of BACKENDS) {
      expect(parseCommand(SPEC, ['--backend', name])).toMatchObject({ values: { backend: name } });
      expect(parseCommand(SPEC, [`--backend=${cliSpelling(name)}`])).toMatchObject({
        values: { backend: name },
      });
    }
    expect(cliSpelling('VpcLattice')).toBe('vpc-lattice');
  });

  test('THEN only the backends asked for are choices', () => {
    expect(backendChoices(['ServiceConnect'])).toEqual({
      'service-connect': 'ServiceConnect',
      ServiceConnect: 'ServiceConnect',
    });
  });
});

describe('GIVEN a command line', () => {
  test('WHEN it is understood THEN the defaults, short flags, repeated flags and positionals come back', () => {
    expect(parseCommand(SPEC, ['-f', 'json', '--family', 'a', '--family', 'b', '--apply', 'x.yaml'])).toEqual(
      {
        help: false,
        values: { backend: 'AppMesh', format: 'json', family: ['a', 'b'], apply: true },
        positionals: ['x.yaml'],
      },
    );
  });

  test.each([
    [['--help'], 'help'],
    [['-h', '--backend', 'foo'], 'help'],
  ])('WHEN %j THEN it is help', (args) => {
    expect(parseCommand(SPEC, args)).toEqual({ help: true });
  });

  test.each([
    [
      ['--backend', 'foo'],
      'tool run: --backend does not accept "foo"; it accepts app-mesh, AppMesh, service-connect',
    ],
    [['-f', 'xml'], 'tool run: --format does not accept "xml"; it accepts text or json'],
    [
      ['--colour'],
      'tool run: unknown flag --colour; it accepts --backend <backend>, --format <value>, --family',
    ],
    [['-x'], 'tool run: unknown flag -x; it accepts'],
    [['--backend'], 'tool run: --backend needs a value: app-mesh, AppMesh'],
    [['--backend', '--apply'], 'tool run: --backend needs a value: app-mesh'],
    [['--apply=no'], 'tool run: --apply takes no value, got "no"'],
    [['a.yaml', 'b.yaml'], 'tool run: expected one file, got 2: a.yaml b.yaml'],
  ])('WHEN %j THEN it is refused: %s', (args, message) => {
    expect(refusal(args)).toContain(message);
  });

  test('WHEN a command takes no arguments THEN one is refused by name', () => {
    const { positionals: _p, ...noArgs } = SPEC;
    expect(() => parseCommand(noArgs, ['x'])).toThrow(
      'tool run: unexpected argument "x"; it takes only flags',
    );
  });
});
