// ELK's worker build answers the layout requests of `elk-api` (see elk-layout.ts), so the
// layered layout of a large mesh runs here and never blocks scrolling, hovering or typing.
import 'elkjs/lib/elk-worker.min.js';
