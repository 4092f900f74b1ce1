/**
 * Fuzz: generated property sets, valid and malformed (numbers as strings, missing and unknown fields, wrong types,
 * huge strings), each sent as a Create through the real handler against the emulator. Every one must end in
 * success (then Delete) or a clean, named failure — never an internal error — and input the contract rejects must
 * make zero AWS calls.
 *
 * `npm test` runs FUZZ_RUNS (default 200) cases of the fixed seed FUZZ_SEED (default 20261125), so CI sees the same
 * cases every time; `npm run fuzz` runs 10,000 (FUZZ_RUNS=10000). The thresholds on how many of each kind are seen
 * are fractions of the run count.
 */
import fc from 'fast-check';
import { parseProperties } from '../../lambda/backends';
import { PropertyValidationError } from '../../lambda/errors';
import { createEvent, deleteEvent, type Props, startWorld, type World } from '../support/harness';
import { expectNothingLeft } from '../support/state';

const runs = Number(process.env.FUZZ_RUNS ?? 200);
const seed = Number(process.env.FUZZ_SEED ?? 20261125);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`FUZZ_RUNS must be a positive integer, got ${runs}`);
if (!Number.isInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, got ${seed}`);

let world: World;
let appTd: string;
beforeAll(async () => {
  world = await startWorld();
  appTd = await world.registerApp('fuzz-app');
});
afterAll(() => world.close());

const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/);
const port = fc.integer({ min: 1, max: 65535 });
const asText = <T>(a: fc.Arbitrary<T>) => fc.oneof(a, a.map(String));

const route = fc.record(
  {
    Name: label,
    Match: fc.record({ Prefix: fc.constantFrom('/', '/api/', '/v2') }, { requiredKeys: [] }),
    Priority: asText(fc.integer({ min: 0, max: 1000 })),
  },
  { requiredKeys: ['Name'] },
);

const validish: fc.Arbitrary<Props> = fc
  .record(
    {
      MeshName: fc.constantFrom('ecs-mesh', 'ecs-mesh', 'ecs-mesh', 'ecs-mesh', 'no-such-mesh'),
      ServiceName: label,
      Port: asText(port),
      Protocol: fc.constantFrom('http', 'http', 'http', 'http2', 'grpc', 'tcp'),
      Backends: fc.uniqueArray(
        label.map((l) => `${l}.service.local`),
        { maxLength: 3 },
      ),
      HealthCheck: fc.record({
        Path: fc.constant('/health'),
        HealthyThreshold: asText(fc.integer({ min: 2, max: 10 })),
      }),
      Routes: fc.uniqueArray(route, { minLength: 1, maxLength: 3, selector: (r) => r.Name }),
      Gateway: fc.record({
        VirtualGatewayName: fc.constantFrom('ecsworkshop-vgw', 'ecsworkshop-vgw', 'no-such-gateway'),
      }),
      Tags: fc.uniqueArray(fc.record({ Key: label, Value: fc.string({ maxLength: 20 }) }), {
        maxLength: 3,
        selector: (t) => t.Key,
      }),
      TaskDefinition: fc.constantFrom('USE_APP_TD', 'USE_APP_TD', 'USE_APP_TD', 'missing-family:3'),
      AccessLogPath: fc.constantFrom('', '/dev/stdout', '/tmp/access.log'),
    },
    { requiredKeys: ['MeshName', 'ServiceName', 'Port'] },
  )
  .map((p) => {
    // Keep most generated sets valid: drop what the protocol does not allow (the malformed ones break rules anyway).
    const out: Props = { ...p };
    if (p.Protocol === 'grpc' || p.Protocol === 'tcp') delete out.HealthCheck;
    if (p.Protocol === 'grpc')
      out.Routes = (p.Routes as { Name: string }[] | undefined)?.map((r) => ({ Name: r.Name }));
    if (p.Protocol === 'tcp') {
      delete out.Routes;
      delete out.Gateway;
    }
    return out;
  })
  .chain((p) =>
    fc.oneof(
      fc.constant<Props>({ ...p, Namespace: 'service.local' }),
      fc.constant<Props>({ ...p, DnsHostname: `${p.ServiceName}.example.internal` }),
    ),
  )
  // The application listens on 3000; a patched task definition needs the listener there.
  .map((p) => (p.TaskDefinition === 'USE_APP_TD' ? { ...p, TaskDefinition: appTd, Port: '3000' } : p));

/** String(v), or fast-check's rendering of what String() cannot convert (an object without a prototype, …). */
function asString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return fc.stringify(value);
  }
}

/** A valid-looking set with one thing broken. */
const malformed: fc.Arbitrary<Props> = fc
  .tuple(validish, fc.nat(), fc.anything(), fc.nat({ max: 6 }))
  .map(([p, i, junk, how]) => {
    const keys = Object.keys(p);
    const key = keys[i % keys.length]!;
    switch (how) {
      case 0:
        return { ...p, [key]: junk };
      case 1: {
        const { [key]: _dropped, ...rest } = p;
        return rest;
      }
      case 2:
        return { ...p, [`X${key}`]: junk };
      case 3:
        return { ...p, [key]: 'x'.repeat(10_000) };
      case 4:
        return { ...p, Port: asString(junk) };
      case 5:
        return { ...p, Routes: [{ Name: 'r', Targets: [{ Weight: junk }] }] };
      default:
        return { ...p, Versions: junk };
    }
  });

test(
  `GIVEN ${runs.toLocaleString('en-US')} generated property sets (seed ${seed}) WHEN each is created THEN each ends in success or a clean failure, and rejected input makes no AWS call`,
  async () => {
    const provider = world.provider();
    const outcomes = { created: 0, rejectedBeforeCalls: 0, failedCleanly: 0 };
    const reasons = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.oneof(validish, malformed), async (props) => {
        let invalid = false;
        try {
          parseProperties(props);
        } catch (e) {
          if (!(e instanceof PropertyValidationError)) throw e;
          invalid = true;
        }
        world.emulator.clearRequests();
        try {
          const result = await provider(createEvent(props));
          if (invalid) throw new Error('the handler accepted properties the contract rejects');
          outcomes.created++;
          await provider(deleteEvent(result.PhysicalResourceId, props));
        } catch (error) {
          const message = (error as Error).message;
          if (message.startsWith('internal error')) throw error;
          if (message.startsWith('the handler accepted')) throw error;
          expect(message).not.toContain('\n');
          if (invalid) {
            expect(world.emulator.requests).toEqual([]);
            outcomes.rejectedBeforeCalls++;
          } else {
            outcomes.failedCleanly++;
            reasons.add(message.replace(/"[^"]*"/g, '"…"').slice(0, 90));
          }
        }
      }),
      { numRuns: runs, seed },
    );
    // Both kinds must really have been exercised.
    console.log(`fuzz outcomes: ${JSON.stringify(outcomes)}\n${[...reasons].join('\n')}`);
    // More than 10% created and more than 20% rejected before any call (100 and 200 of 1,000).
    expect(outcomes.created).toBeGreaterThan(runs / 10);
    expect(outcomes.rejectedBeforeCalls).toBeGreaterThan(runs / 5);
    expectNothingLeft(world.emulator);
  },
  Math.max(60_000, runs * 100),
);
