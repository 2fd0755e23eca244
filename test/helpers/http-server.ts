import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: http.IncomingMessage, body: string) => { status?: number; headers?: Record<string, string>; body: string } | Promise<{ status?: number; headers?: Record<string, string>; body: string }>;

/** A real HTTP server on 127.0.0.1 (never any other address) that records the requests it got. */
export async function startServer(handler: Handler) {
  const requests: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body });
      try {
        const r = await handler(req, body);
        res.writeHead(r.status ?? 200, r.headers ?? { 'content-type': 'application/json' });
        res.end(r.body);
      } catch (err) {
        res.writeHead(500);
        res.end(String(err));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
