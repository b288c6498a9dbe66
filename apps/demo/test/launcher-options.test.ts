import { describe, expect, it } from 'vitest';
import { DemoError } from '../src/errors.js';
import { HelpRequested, loadLauncherOptions } from '../src/launcher/launcher-options.js';
import { planPorts, portRoles } from '../src/launcher/port-plan.js';
import { generateMesh } from '../src/mesh/mesh-generator.js';

const load = (argv: string[], env: NodeJS.ProcessEnv = {}) =>
  loadLauncherOptions(argv, env, '/repo/apps/demo/demo-mesh.json');

function failure(run: () => unknown): DemoError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DemoError);
    return error as DemoError;
  }
  throw new Error('expected an error');
}

describe('launcher options', () => {
  it('defaults: the mesh file, 7700, 3000, 4100', () => {
    expect(load([])).toMatchObject({
      services: undefined,
      meshFile: '/repo/apps/demo/demo-mesh.json',
      collectorPort: 7700,
      dashboardPort: 3000,
      basePort: 4100,
      scrapeInterval: '5s',
    });
  });

  it('a flag wins over its variable', () => {
    const options = load(['--services', '12'], {
      TRELLIS_DEMO_SERVICES: '30',
      PORT: '3300',
      TRELLIS_DEMO_NO_DASHBOARD: '',
    });
    expect(options.services).toBe(12);
    expect(options.dashboardPort).toBe(3300);
    expect(load(['--no-dashboard']).dashboardPort).toBeUndefined();
  });

  it('errors name the flag and its variable', () => {
    const error = failure(() => load(['--services', '900']));
    expect(error.code).toBe('invalid-option');
    expect(error.message).toMatch(/^--services \(TRELLIS_DEMO_SERVICES\): /);
    expect(failure(() => load(['--colector-port', '1'])).message).toContain("'--colector-port'");
    expect(failure(() => load(['--services', '3', '--mesh', 'x.json'])).message).toContain(
      'exclude each other',
    );
    expect(() => load(['--help'])).toThrow(HelpRequested);
  });
});

describe('port plan', () => {
  it('gives each instance four ports from the base, the traffic proxy last', () => {
    const plan = planPorts(generateMesh(3), { collector: 7700, dashboard: 3000, base: 4100 });
    expect(plan.instances[0]).toEqual({
      service: 'svc-001',
      id: 'svc-001-1',
      app: 4100,
      inbound: 4101,
      outbound: 4102,
      admin: 4103,
    });
    expect(plan.traffic.inbound).toBe(4113);
    const ports = portRoles(plan).map((role) => role.port);
    expect(new Set(ports).size).toBe(ports.length);
  });

  it('refuses a plan that runs into the collector port or past 65535', () => {
    expect(
      failure(() => planPorts(generateMesh(10), { collector: 4110, dashboard: 3000, base: 4100 }))
        .code,
    ).toBe('port-range');
    expect(
      failure(() => planPorts(generateMesh(10), { collector: 7700, dashboard: 3000, base: 65_500 }))
        .message,
    ).toContain('past 65535');
  });
});
