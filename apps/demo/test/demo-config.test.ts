import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DemoError } from '../src/errors.js';
import { loadDemoMesh, parseDemoMesh, type DemoMesh } from '../src/mesh/demo-config.js';

const SHIPPED = fileURLToPath(new URL('../demo-mesh.json', import.meta.url));

function depth(mesh: DemoMesh, service: string): number {
  const callees = new Set(
    mesh.services[service]!.routes.flatMap((route) => route.calls.map((c) => c.service)),
  );
  return 1 + Math.max(0, ...[...callees].map((callee) => depth(mesh, callee)));
}

const minimal = () => ({
  entry: 'web',
  traffic: { mix: [{ path: '/' }] },
  services: {
    web: {
      routes: [
        {
          name: 'home',
          path: '/',
          latency: { medianMs: 5, p99Ms: 20 },
          calls: [{ service: 'api', path: '/items/{id}' }],
        },
      ],
    },
    api: { routes: [{ name: 'item', path: '/items/{id}', latency: { medianMs: 2, p99Ms: 9 } }] },
  },
});

function problem(document: unknown): string {
  try {
    parseDemoMesh(document, 'mesh.json');
  } catch (error) {
    expect(error).toBeInstanceOf(DemoError);
    expect((error as DemoError).code).toBe('invalid-mesh');
    return (error as Error).message;
  }
  throw new Error('expected the mesh to be rejected');
}

describe('the shipped demo mesh', () => {
  const mesh = loadDemoMesh(SHIPPED);
  const routes = Object.values(mesh.services).flatMap((service) => service.routes);

  it('is six or more services, at least three levels deep, some with several instances', () => {
    expect(Object.keys(mesh.services).length).toBeGreaterThanOrEqual(6);
    expect(depth(mesh, mesh.entry)).toBeGreaterThanOrEqual(3);
    expect(Object.values(mesh.services).some((service) => service.instances > 1)).toBe(true);
  });

  it('has a flaky route a retry would fix and a slow tail a timeout would cut', () => {
    expect(routes.some((r) => r.errorRate >= 0.2 && r.errorStatus === 503)).toBe(true);
    expect(routes.some((r) => r.latency.p99Ms >= 50 * r.latency.medianMs)).toBe(true);
  });

  it('sends about 20 requests a second by default', () => {
    expect(mesh.traffic.rps).toBe(20);
  });
});

describe('validation names the field that is wrong', () => {
  it('accepts a minimal mesh and fills in defaults', () => {
    const mesh = parseDemoMesh(minimal(), 'mesh.json');
    expect(mesh.services.web!.instances).toBe(1);
    expect(mesh.traffic.rps).toBe(20);
    expect(mesh.services.web!.routes[0]!.calls[0]).toMatchObject({ method: 'GET', probability: 1 });
  });

  it('a call to an unknown service', () => {
    const document = minimal();
    document.services.web.routes[0]!.calls[0]!.service = 'nope';
    expect(problem(document)).toContain(
      'services.web.routes[0].calls[0].service: no service "nope"',
    );
  });

  it('a call that matches no route of its service', () => {
    const document = minimal();
    document.services.web.routes[0]!.calls[0]!.path = '/other';
    expect(problem(document)).toContain('GET /other matches no route of "api"');
  });

  it('a p99 below the median', () => {
    const document = minimal();
    document.services.api.routes[0]!.latency.p99Ms = 1;
    expect(problem(document)).toContain('services.api.routes[0].latency.p99Ms');
  });

  it('services calling each other in a cycle', () => {
    const document = minimal();
    Object.assign(document.services.api.routes[0]!, { calls: [{ service: 'web', path: '/' }] });
    expect(problem(document)).toMatch(/cycle: (web → api → web|api → web → api)/);
  });

  it('traffic aimed at a route the entry service does not have', () => {
    const document = minimal();
    document.traffic.mix[0]!.path = '/missing';
    expect(problem(document)).toContain('traffic.mix[0].path');
  });
});
