/**
 * Paths as the demo's routes write them: the policy model's templates (`/items/{id}`, a final
 * `*` for a prefix). Calls and traffic use concrete paths, where `{id}` stands for a random id
 * so that caches and route templates see varied URLs.
 */

/** Whether a concrete request path matches a route template. */
export function matchesTemplate(template: string, path: string): boolean {
  const wanted = template.split('/');
  const actual = path.split('/');
  for (const [i, segment] of wanted.entries()) {
    if (segment === '*' && i === wanted.length - 1) return true;
    const part = actual[i];
    if (part === undefined) return false;
    if (segment.startsWith('{') && segment.endsWith('}')) {
      if (part === '') return false;
    } else if (segment !== part) {
      return false;
    }
  }
  return wanted.length === actual.length;
}

/** Fills every `{id}` of a call or traffic path with an id drawn from `random`. */
export function concretePath(path: string, random: () => number = Math.random): string {
  return path.replaceAll('{id}', () => String(1 + Math.floor(random() * 1000)));
}
