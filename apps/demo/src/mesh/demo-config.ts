import { readFileSync } from 'node:fs';
import { HTTP_METHODS, RouteSchema, ServiceNameSchema, pathProblem } from '@trellis/contracts';
import { z } from 'zod';
import { DemoError } from '../errors.js';
import { concretePath, matchesTemplate } from './route-path.js';

/**
 * The demo mesh in one document (`apps/demo/demo-mesh.json`): services, their instances and
 * routes, how each route behaves (latency distribution, error rate, downstream calls), and the
 * traffic sent to the entry service.
 */

/** The service name of the traffic generator's own proxy, so its calls show as an edge. */
export const TRAFFIC_SERVICE = 'traffic';

const MethodSchema = z.enum(HTTP_METHODS);

const ConcretePathSchema = z
  .string()
  .regex(/^\/[A-Za-z0-9\-._~!$&'()+,;=:@%/{}]*$/, 'a path such as /items or /items/{id}');

const LatencySchema = z
  .strictObject({
    medianMs: z.number().positive().max(60_000),
    p99Ms: z.number().positive().max(60_000),
  })
  .refine((latency) => latency.p99Ms >= latency.medianMs, {
    message: 'p99Ms must be at least medianMs',
    path: ['p99Ms'],
  });

const CallSchema = z.strictObject({
  service: ServiceNameSchema,
  method: MethodSchema.default('GET'),
  path: ConcretePathSchema,
  /** Share of requests that make this call (a cache miss, a feature flag). */
  probability: z.number().min(0).max(1).default(1),
  /** An optional call's failure degrades the answer instead of failing it. */
  optional: z.boolean().default(false),
});

const DemoRouteSchema = z.strictObject({
  name: RouteSchema.shape.name,
  method: MethodSchema.default('GET'),
  path: z
    .string()
    .min(1)
    .superRefine((path, ctx) => {
      const problem = pathProblem(path);
      if (problem) ctx.addIssue({ code: 'custom', message: `invalid path: ${problem}` });
    }),
  latency: LatencySchema,
  errorRate: z.number().min(0).max(1).default(0),
  errorStatus: z.number().int().min(500).max(599).default(500),
  calls: z.array(CallSchema).default([]),
});

const ServiceSchema = z.strictObject({
  instances: z.number().int().min(1).max(16).default(1),
  routes: z.array(DemoRouteSchema).min(1),
});

const TrafficSchema = z.strictObject({
  rps: z.number().positive().max(5000).default(20),
  mix: z
    .array(
      z.strictObject({
        method: MethodSchema.default('GET'),
        path: ConcretePathSchema,
        weight: z.number().positive().default(1),
      }),
    )
    .min(1),
});

export const DemoMeshSchema = z
  .strictObject({
    entry: ServiceNameSchema,
    traffic: TrafficSchema,
    services: z.record(ServiceNameSchema, ServiceSchema),
  })
  .superRefine((mesh, ctx) => {
    const findRoute = (service: string, method: string, path: string) =>
      mesh.services[service]?.routes.find(
        (route) => route.method === method && matchesTemplate(route.path, concretePath(path)),
      );
    if (mesh.services[TRAFFIC_SERVICE] !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['services', TRAFFIC_SERVICE],
        message: `"${TRAFFIC_SERVICE}" is the traffic generator's name; pick another`,
      });
    }
    if (mesh.services[mesh.entry] === undefined) {
      ctx.addIssue({ code: 'custom', path: ['entry'], message: `no service "${mesh.entry}"` });
    }
    mesh.traffic.mix.forEach((target, i) => {
      if (findRoute(mesh.entry, target.method, target.path) === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['traffic', 'mix', i, 'path'],
          message: `${target.method} ${target.path} matches no route of "${mesh.entry}"`,
        });
      }
    });
    for (const [service, spec] of Object.entries(mesh.services)) {
      const names = new Set<string>();
      spec.routes.forEach((route, r) => {
        if (names.has(route.name)) {
          ctx.addIssue({
            code: 'custom',
            path: ['services', service, 'routes', r, 'name'],
            message: `route name "${route.name}" is used twice`,
          });
        }
        names.add(route.name);
        route.calls.forEach((call, c) => {
          const where = ['services', service, 'routes', r, 'calls', c];
          if (mesh.services[call.service] === undefined) {
            ctx.addIssue({
              code: 'custom',
              path: [...where, 'service'],
              message: `no service "${call.service}"`,
            });
          } else if (findRoute(call.service, call.method, call.path) === undefined) {
            ctx.addIssue({
              code: 'custom',
              path: [...where, 'path'],
              message: `${call.method} ${call.path} matches no route of "${call.service}"`,
            });
          }
        });
      });
    }
    const cycle = findCycle(mesh.services);
    if (cycle !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['services'],
        message: `services call each other in a cycle: ${cycle.join(' → ')}`,
      });
    }
  });

export type DemoMesh = z.infer<typeof DemoMeshSchema>;
export type DemoMeshInput = z.input<typeof DemoMeshSchema>;
export type DemoService = DemoMesh['services'][string];
export type DemoRoute = DemoService['routes'][number];
export type DemoCall = DemoRoute['calls'][number];

/** A cycle would make one request call itself forever; returns one if the graph has any. */
function findCycle(services: DemoMesh['services']): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (service: string, trail: string[]): string[] | undefined => {
    if (state.get(service) === 'visiting') return [...trail.slice(trail.indexOf(service)), service];
    if (state.get(service) === 'done') return undefined;
    state.set(service, 'visiting');
    const callees = new Set(
      (services[service]?.routes ?? []).flatMap((route) => route.calls.map((c) => c.service)),
    );
    for (const callee of callees) {
      const cycle = visit(callee, [...trail, service]);
      if (cycle !== undefined) return cycle;
    }
    state.set(service, 'done');
    return undefined;
  };
  for (const service of Object.keys(services)) {
    const cycle = visit(service, []);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}

function issuePath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

/** Validates a mesh document; the error names the file and the field that is wrong. */
export function parseDemoMesh(document: unknown, source: string): DemoMesh {
  const parsed = DemoMeshSchema.safeParse(document);
  if (!parsed.success) {
    const lines = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `  ${issuePath(issue.path) || '(document)'}: ${issue.message}`);
    throw new DemoError('invalid-mesh', `${source} is not a valid demo mesh:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

export function loadDemoMesh(file: string): DemoMesh {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new DemoError('invalid-mesh', `cannot read the demo mesh ${file}`, { cause });
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (cause) {
    throw new DemoError(
      'invalid-mesh',
      `${file} is not JSON: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
  return parseDemoMesh(document, file);
}
