/**
 * A round-robin HTTP proxy in front of several app replicas, as a load balancer is: each
 * request goes, whole, to the next replica in turn (method, path, headers, body, and the
 * replica's answer back). Which replica got which request is recorded.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RoundRobin {
  /** The proxy's base URL (http://127.0.0.1:PORT). */
  url: string;
  /** Index into the targets of the replica each request went to, in order. */
  routed: number[];
  close(): Promise<void>;
}

/** Proxy to `targets` (base URLs, e.g. http://127.0.0.1:3001) in turn. */
export async function roundRobin(targets: readonly string[]): Promise<RoundRobin> {
  if (targets.length === 0) throw new Error('roundRobin: no targets');
  const routed: number[] = [];
  let next = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const i = next;
      next = (next + 1) % targets.length;
      routed.push(i);
      const headers: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (v !== undefined && k !== 'host' && k !== 'connection') headers[k] = v;
      }
      // A connection of its own per request: a kept-alive one may be closed as it is reused.
      const out = request(
        `${targets[i]}${req.url ?? '/'}`,
        { method: req.method, headers, agent: false },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      out.on('error', (err) => {
        res.writeHead(502, { 'content-type': 'text/plain' }).end(`proxy: ${String(err)}`);
      });
      out.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    routed,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
