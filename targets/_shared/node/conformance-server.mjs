// The HTTP side of the Node adapters: the FIDO2 server conformance API on node:http, for webauthn-harness.
// An adapter hands serve() its four handlers, each `async (req, res, body) => reply fields`; this module reads
// the request (at most MAX_BODY bytes), parses it (a JSON object, or 400), runs the handler and writes the JSON
// reply: {status: 'ok', errorMessage: '', ...fields} with 200, or {status: 'failed', errorMessage} with 400 for
// any rejection (a Rejected, or any other error: never a 5xx), 404 for another path or method, 413 for a body
// too large. Sessions: sessionOf() finds the session of the `session` cookie, or creates one (Set-Cookie);
// popPending() takes a ceremony's state out of it, so a challenge is used at most once.
import http from 'node:http';
import { randomBytes } from 'node:crypto';

export const MAX_BODY = 1 << 20;

/** A request the adapter rejects with 400 and this message. */
export class Rejected extends Error {}

/** The PORT of `node server.mjs PORT`; exits with the usage line otherwise. */
export function portFromArgv() {
  const port = Number.parseInt(process.argv[2] ?? '', 10);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    console.error('usage: node server.mjs PORT');
    process.exit(2);
  }
  return port;
}

// session id (cookie) -> { registration?: {...}, authentication?: {...} }
const sessions = new Map();

export function sessionOf(req, res) {
  const m = /(?:^|;\s*)session=([A-Za-z0-9_-]+)/.exec(req.headers.cookie ?? '');
  if (m && sessions.has(m[1])) return sessions.get(m[1]);
  const sid = randomBytes(16).toString('base64url');
  const session = {};
  sessions.set(sid, session);
  res.setHeader('Set-Cookie', `session=${sid}; Path=/; HttpOnly; SameSite=Strict`);
  return session;
}

// Take the pending ceremony out of the session: a challenge is used at most once.
export function popPending(req, res, key) {
  const session = sessionOf(req, res);
  const pending = session[key];
  delete session[key];
  if (!pending) throw new Rejected(`no pending ${key} for this session (call the options endpoint first)`);
  return pending;
}

function send(res, code, obj) {
  const text = JSON.stringify(obj);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Serves `routes` (path -> async handler(req, res, body)) on 127.0.0.1:port until SIGTERM or SIGINT;
 * `name` and `note` make the start-up line.
 */
export function serve(port, routes, name, note) {
  const server = http.createServer((req, res) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', async () => {
      const path = (req.url ?? '').split('?')[0];
      const handler = routes[path];
      let code;
      let reply;
      if (req.method !== 'POST' || !handler) {
        code = 404;
        reply = { status: 'failed', errorMessage: 'not found' };
      } else if (size > MAX_BODY) {
        code = 413;
        reply = { status: 'failed', errorMessage: 'request body too large' };
      } else {
        try {
          let body;
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            throw new Rejected('request body is not JSON');
          }
          if (body === null || typeof body !== 'object' || Array.isArray(body)) {
            throw new Rejected('request body is not a JSON object');
          }
          const out = await handler(req, res, body);
          code = 200;
          reply = { status: 'ok', errorMessage: '', ...out };
        } catch (err) {
          // Every rejection (ours or the library's) is a 400 with the message; never a 5xx.
          code = 400;
          reply = { status: 'failed', errorMessage: err instanceof Rejected ? err.message : String(err?.message ?? err) };
        }
      }
      console.error(`${req.method} ${path} ${code}${code === 200 ? '' : ` ${reply.errorMessage}`}`);
      send(res, code, reply);
    });
  });

  server.listen(port, '127.0.0.1', () => {
    console.log(`${name} adapter listening on http://127.0.0.1:${port}${note ? ` (${note})` : ''}`);
  });
  for (const sig of ['SIGTERM', 'SIGINT']) {
    process.on(sig, () => {
      server.close();
      process.exit(0);
    });
  }
  return server;
}
