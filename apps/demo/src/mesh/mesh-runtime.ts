import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { DemoError } from '../errors.js';
import type { PortPlan } from '../launcher/port-plan.js';
import { parseDemoMesh, type DemoMesh } from './demo-config.js';

/**
 * What the launcher hands its sample-apps and traffic processes: the mesh as it will run
 * (file or generated, rate applied) and the port plan. Written to `<data dir>/demo/mesh.json`,
 * which also shows a user exactly what is running where.
 */
export interface MeshRuntime {
  mesh: DemoMesh;
  plan: PortPlan;
}

const InstancePortsSchema = z.object({
  service: z.string(),
  id: z.string(),
  app: z.number().int(),
  inbound: z.number().int(),
  outbound: z.number().int(),
  admin: z.number().int(),
});

const RuntimeFileSchema = z.object({
  mesh: z.unknown(),
  plan: z.object({
    collector: z.number().int(),
    dashboard: z.number().int().optional(),
    instances: z.array(InstancePortsSchema),
    traffic: InstancePortsSchema,
  }),
});

export function writeMeshRuntime(file: string, runtime: MeshRuntime): void {
  writeFileSync(file, `${JSON.stringify(runtime, null, 2)}\n`);
}

export function readMeshRuntime(file: string): MeshRuntime {
  const parsed = RuntimeFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    throw new DemoError('invalid-mesh', `${file} is not a runtime file written by the launcher`);
  }
  return {
    mesh: parseDemoMesh(parsed.data.mesh, file),
    plan: { ...parsed.data.plan, dashboard: parsed.data.plan.dashboard },
  };
}
