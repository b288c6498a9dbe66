import { parseDemoMesh, type DemoMesh, type DemoMeshInput } from './demo-config.js';
import { seededRandom } from './seeded-random.js';

/** How many services `--services N` may ask for; the port plan has room for this many. */
export const MAX_GENERATED_SERVICES = 200;

/**
 * Layer widths for `count` services: one entry service, then layers growing roughly twofold,
 * at most six deep, so a request crosses a handful of hops whatever the mesh size.
 */
export function layerWidths(count: number): number[] {
  if (count <= 4) return Array.from({ length: count }, () => 1);
  const layers = Math.min(6, 2 + Math.floor(Math.log2(count)));
  const rest = count - 1;
  const weights = Array.from({ length: layers - 1 }, (_, i) => 2 ** i);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const widths = weights.map((weight) => Math.max(1, Math.floor((rest * weight) / total)));
  let surplus = rest - widths.reduce((sum, width) => sum + width, 0);
  for (let i = widths.length - 1; surplus !== 0; i = (i - 1 + widths.length) % widths.length) {
    const step = Math.sign(surplus);
    if (widths[i]! + step >= 1) {
      widths[i]! += step;
      surplus -= step;
    }
  }
  return [1, ...widths];
}

export function serviceName(index: number): string {
  return `svc-${String(index + 1).padStart(3, '0')}`;
}

/**
 * A layered mesh of `count` services for load trials: every service below the entry has at
 * least one caller in the layer above, some have two; each `/work` request calls one of its
 * callees on average (each with probability 1 / callees), so total load stays proportional to
 * the traffic rate rather than to the mesh size. About one service in twelve is flaky.
 */
export function generateMesh(count: number, rps = 20, seed = 7): DemoMesh {
  const random = seededRandom(seed);
  const widths = layerWidths(count);
  const layers: string[][] = [];
  let next = 0;
  for (const width of widths) {
    layers.push(Array.from({ length: width }, () => serviceName(next++)));
  }
  const callees = new Map<string, Set<string>>();
  for (let l = 1; l < layers.length; l++) {
    const above = layers[l - 1]!;
    layers[l]!.forEach((service, i) => {
      const callers = [above[i % above.length]!];
      if (above.length > 1 && random() < 0.3) {
        callers.push(above[Math.floor(random() * above.length)]!);
      }
      for (const caller of callers) {
        const set = callees.get(caller) ?? new Set<string>();
        set.add(service);
        callees.set(caller, set);
      }
    });
  }
  const services: DemoMeshInput['services'] = {};
  for (const service of layers.flat()) {
    const targets = [...(callees.get(service) ?? [])];
    const medianMs = Math.round(2 + random() * 18);
    const flaky = service !== layers[0]![0] && random() < 1 / 12;
    services[service] = {
      instances: 1,
      routes: [
        {
          name: 'work',
          method: 'GET',
          path: '/work',
          latency: { medianMs, p99Ms: Math.round(medianMs * (3 + random() * 7)) },
          errorRate: flaky ? 0.2 : 0.001,
          errorStatus: flaky ? 503 : 500,
          calls: targets.map((target) => ({
            service: target,
            method: 'GET',
            path: '/work',
            probability: 1 / targets.length,
          })),
        },
      ],
    };
  }
  return parseDemoMesh(
    {
      entry: layers[0]![0]!,
      traffic: { rps, mix: [{ method: 'GET', path: '/work', weight: 1 }] },
      services,
    },
    `the generated mesh of ${count} services`,
  );
}
