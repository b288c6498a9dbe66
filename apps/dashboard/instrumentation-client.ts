import { z } from 'zod';

// Runs before any other browser code. Zod compiles parsers with `new Function` where eval is
// allowed and probes for that on first use; under the pages' CSP (no 'unsafe-eval') the probe
// alone reports a violation, so the browser side parses without compiling.
z.config({ jitless: true });
