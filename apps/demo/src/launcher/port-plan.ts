import { DemoError } from '../errors.js';
import { TRAFFIC_SERVICE, type DemoMesh } from '../mesh/demo-config.js';

/**
 * Where everything listens. The collector and the dashboard have fixed ports (7700, 3000);
 * every instance gets four consecutive ports from the base (default 4100): its app, its
 * proxy's inbound, outbound and admin. Instances are numbered in the mesh file's order and the
 * traffic generator's proxy comes last, so 200 one-instance services fit in 4100–4903.
 */

export const PORTS_PER_INSTANCE = 4;

export interface InstancePorts {
  service: string;
  /** `<service>-<n>`, n from 1: the name in logs and in the proxy's log file. */
  id: string;
  app: number;
  inbound: number;
  outbound: number;
  admin: number;
}

export interface PortPlan {
  collector: number;
  dashboard: number | undefined;
  instances: InstancePorts[];
  traffic: InstancePorts;
}

export interface PortBases {
  collector: number;
  dashboard: number | undefined;
  base: number;
}

export function planPorts(mesh: DemoMesh, bases: PortBases): PortPlan {
  const instances: InstancePorts[] = [];
  const at = (service: string, id: string, slot: number): InstancePorts => {
    const first = bases.base + slot * PORTS_PER_INSTANCE;
    return { service, id, app: first, inbound: first + 1, outbound: first + 2, admin: first + 3 };
  };
  for (const [service, spec] of Object.entries(mesh.services)) {
    for (let n = 1; n <= spec.instances; n++) {
      instances.push(at(service, `${service}-${n}`, instances.length));
    }
  }
  const traffic = at(TRAFFIC_SERVICE, TRAFFIC_SERVICE, instances.length);
  const plan: PortPlan = {
    collector: bases.collector,
    dashboard: bases.dashboard,
    instances,
    traffic,
  };
  const last = traffic.admin;
  if (last > 65_535) {
    throw new DemoError(
      'port-range',
      `${instances.length + 1} instances need ports ${bases.base}–${last}, past 65535; lower --base-port or the number of instances`,
    );
  }
  for (const [name, port] of [
    ['collector', bases.collector],
    ['dashboard', bases.dashboard],
  ] as const) {
    if (port !== undefined && port >= bases.base && port <= last) {
      throw new DemoError(
        'port-range',
        `the ${name} port ${port} falls inside the instance range ${bases.base}–${last}; move --base-port`,
      );
    }
  }
  return plan;
}

/** Every port of the plan with what it is for, to check them all before anything starts. */
export function portRoles(plan: PortPlan): { port: number; role: string }[] {
  const roles = [{ port: plan.collector, role: 'the collector' }];
  if (plan.dashboard !== undefined) roles.push({ port: plan.dashboard, role: 'the dashboard' });
  for (const instance of [...plan.instances, plan.traffic]) {
    if (instance.service !== TRAFFIC_SERVICE) {
      roles.push({ port: instance.app, role: `the app of ${instance.id}` });
    }
    roles.push(
      { port: instance.inbound, role: `the inbound proxy of ${instance.id}` },
      { port: instance.outbound, role: `the outbound proxy of ${instance.id}` },
      { port: instance.admin, role: `the proxy admin of ${instance.id}` },
    );
  }
  return roles;
}
