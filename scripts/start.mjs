// `npm start` (after scripts/setup.mjs): the demo launcher — collector, dashboard, sample
// services behind trellis-proxy sidecars, and traffic. Options: `npm start -- --help`.
await import('../apps/demo/dist/main.js');
