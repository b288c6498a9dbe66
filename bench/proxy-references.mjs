// Reference servers for bench/proxy-compare.mjs (not products): what the platform itself costs
// per request, so the proxy's figures can be split into its own code and the stack under it.
//
//   node bench/proxy-references.mjs KIND PORT UPSTREAM_PORT
//
// node-http        node:http answering "ok" itself: the server side alone.
// node-http-undici node:http + undici Pool.dispatch forwarding, no layers, no metrics: the
//                  floor for the proxy's current stack.
// net              raw sockets, one upstream connection per client connection, for body-less
//                  requests and Content-Length responses only: the floor for any Node proxy.
import { createServer } from 'node:http';
import net from 'node:net';
import { Pool } from 'undici';

const [kind, port, upstreamPort] = process.argv.slice(2);

function nodeHttp() {
  return createServer((req, res) => {
    res.writeHead(200, ['content-type', 'text/plain', 'content-length', '2']);
    res.end('ok');
  });
}

function nodeHttpUndici() {
  const pool = new Pool(`http://127.0.0.1:${upstreamPort}`, { headersTimeout: 0, bodyTimeout: 0 });
  return createServer({ requestTimeout: 0 }, (req, res) => {
    let status = 0;
    let headers = [];
    const chunks = [];
    pool.dispatch(
      { path: req.url, method: req.method, headers: req.rawHeaders },
      {
        onConnect() {},
        onHeaders(statusCode, rawHeaders) {
          status = statusCode;
          headers = rawHeaders.map((header) => header.toString('latin1'));
          return true;
        },
        onData(chunk) {
          chunks.push(chunk);
          return true;
        },
        onComplete() {
          res.writeHead(status, headers);
          res.end(Buffer.concat(chunks));
        },
        onError(error) {
          res.destroy(error);
        },
      },
    );
  });
}

function rawNet() {
  return net.createServer({ noDelay: true }, (client) => {
    const upstream = net.connect({ port: Number(upstreamPort), host: '127.0.0.1', noDelay: true });
    let pending = Buffer.alloc(0);
    client.on('data', (data) => upstream.write(data));
    upstream.on('data', (data) => {
      pending = pending.length ? Buffer.concat([pending, data]) : data;
      for (;;) {
        const headEnd = pending.indexOf('\r\n\r\n');
        if (headEnd === -1) return;
        const length = /content-length: *(\d+)/i.exec(pending.latin1Slice(0, headEnd));
        const total = headEnd + 4 + (length ? Number(length[1]) : 0);
        if (pending.length < total) return;
        client.write(pending.subarray(0, total));
        pending = pending.subarray(total);
      }
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => {});
    upstream.on('error', () => {});
  });
}

const servers = { 'node-http': nodeHttp, 'node-http-undici': nodeHttpUndici, net: rawNet };
servers[kind]().listen(Number(port), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
