import { describe, expect, it } from 'vitest';
import { generateMesh, layerWidths } from '../src/mesh/mesh-generator.js';
import { planPorts } from '../src/launcher/port-plan.js';

describe('generated meshes', () => {
  it.each([2, 6, 31, 200])('%i services in layers, every one reachable', (count) => {
    const widths = layerWidths(count);
    expect(widths.reduce((a, b) => a + b, 0)).toBe(count);
    expect(widths[0]).toBe(1);
    const mesh = generateMesh(count);
    const names = Object.keys(mesh.services);
    expect(names).toHaveLength(count);
    const called = new Set(
      Object.values(mesh.services).flatMap((s) =>
        s.routes.flatMap((r) => r.calls.map((c) => c.service)),
      ),
    );
    for (const name of names) if (name !== mesh.entry) expect(called).toContain(name);
  });

  it('is the same mesh for the same size', () => {
    expect(generateMesh(40)).toEqual(generateMesh(40));
  });

  it('makes about one downstream call per hop, so load follows the traffic rate', () => {
    for (const service of Object.values(generateMesh(120).services)) {
      const calls = service.routes[0]!.calls;
      const expected = calls.reduce((sum, call) => sum + call.probability, 0);
      expect(calls.length === 0 || Math.abs(expected - 1) < 1e-9).toBe(true);
    }
  });

  it('200 services fit the documented port range from 4100', () => {
    const plan = planPorts(generateMesh(200), { collector: 7700, dashboard: 3000, base: 4100 });
    expect(plan.traffic.admin).toBeLessThan(5000);
  });
});
