import { describe, expect, it } from 'vitest';
import { layeredLayout } from '../src/components/topology/layered-layout';

const node = (id: string) => ({ id, width: 160, height: 44 });

function chain(): Parameters<typeof layeredLayout>[0] {
  return {
    nodes: ['web', 'cart', 'catalog', 'pricing'].map(node),
    edges: [
      { id: 'web-cart', source: 'web', target: 'cart' },
      { id: 'web-catalog', source: 'web', target: 'catalog' },
      { id: 'cart-pricing', source: 'cart', target: 'pricing' },
      { id: 'catalog-pricing', source: 'catalog', target: 'pricing' },
    ],
  };
}

describe('layered layout', () => {
  it('puts callers in layers left of what they call', () => {
    const positions = layeredLayout(chain(), { node: 28, layer: 110 });
    expect(positions.web!.x).toBe(0);
    expect(positions.cart!.x).toBe(positions.catalog!.x);
    expect(positions.cart!.x).toBeGreaterThan(positions.web!.x);
    expect(positions.pricing!.x).toBeGreaterThan(positions.cart!.x);
    expect(positions.cart!.y).not.toBe(positions.catalog!.y);
  });

  it('gives the same positions for the same graph', () => {
    expect(layeredLayout(chain())).toEqual(layeredLayout(chain()));
  });

  it('terminates on a cycle and places every node once, without overlaps', () => {
    const positions = layeredLayout({
      nodes: ['a', 'b', 'c'].map(node),
      edges: [
        { id: 'ab', source: 'a', target: 'b' },
        { id: 'bc', source: 'b', target: 'c' },
        { id: 'ca', source: 'c', target: 'a' },
      ],
    });
    const spots = Object.values(positions).map((p) => `${p.x},${p.y}`);
    expect(Object.keys(positions).sort()).toEqual(['a', 'b', 'c']);
    expect(new Set(spots).size).toBe(3);
  });

  it('lays out 500 services and 2,000 edges with no two nodes on one spot', () => {
    const nodes = Array.from({ length: 500 }, (_, i) => node(`s${i}`));
    const edges = Array.from({ length: 2000 }, (_, i) => {
      const source = (i * 7) % 499;
      const target = source + 1 + ((i * 13) % (499 - source));
      return { id: `e${i}`, source: `s${source}`, target: `s${target}` };
    });
    const positions = layeredLayout({ nodes, edges });
    const spots = new Set(Object.values(positions).map((p) => `${p.x},${p.y}`));
    expect(Object.keys(positions)).toHaveLength(500);
    expect(spots.size).toBe(500);
  });
});
