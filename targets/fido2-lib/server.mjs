// FIDO2 server conformance API on top of fido2-lib, for webauthn-harness.
// Usage: node server.mjs PORT   (listens on 127.0.0.1:PORT; RP ID "localhost", origin http://localhost:PORT)
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { Fido2Lib, coerceToArrayBuffer } from 'fido2-lib';

const PORT = Number.parseInt(process.argv[2] ?? '', 10);
if (!Number.isInteger(PORT) || PORT <= 0 || PORT > 65535) {
  console.error('usage: node server.mjs PORT');
  process.exit(2);
}
const RP_ID = 'localhost';
const RP_NAME = 'webauthn-harness fido2-lib adapter';
const ORIGIN = `http://localhost:${PORT}`;
const MAX_BODY = 1 << 20;

// The library's configuration for result calls (challenge, origin, factor, ... come per call).
const f2l = new Fido2Lib({ rpId: RP_ID, rpName: RP_NAME });

// username -> { userHandle: base64url, credentials: [{ id: base64url, publicKey: PEM, counter, transports }] }
const users = new Map();
// session id (cookie) -> { registration?: {...}, authentication?: {...} }
const sessions = new Map();

class Rejected extends Error {}

const b64url = (ab) => Buffer.from(ab).toString('base64url');

function sessionOf(req, res) {
  const m = /(?:^|;\s*)session=([A-Za-z0-9_-]+)/.exec(req.headers.cookie ?? '');
  if (m && sessions.has(m[1])) return sessions.get(m[1]);
  const sid = randomBytes(16).toString('base64url');
  const session = {};
  sessions.set(sid, session);
  res.setHeader('Set-Cookie', `session=${sid}; Path=/; HttpOnly; SameSite=Strict`);
  return session;
}

// Take the pending ceremony out of the session: a challenge is used at most once.
function popPending(req, res, key) {
  const session = sessionOf(req, res);
  const pending = session[key];
  delete session[key];
  if (!pending) throw new Rejected(`no pending ${key} for this session (call the options endpoint first)`);
  return pending;
}

// fido2-lib wants id/rawId as ArrayBuffers (its typings, and validateCreateRequest / validateAssertionResponse);
// the JSON carries base64url, converted with the library's own coerceToArrayBuffer as integrators do.
function withBinaryIds(body) {
  const out = { ...body };
  for (const name of ['id', 'rawId']) {
    if (typeof out[name] === 'string') out[name] = coerceToArrayBuffer(out[name], name);
  }
  return out;
}

async function attestationOptions(req, res, body) {
  const username = body.username;
  if (typeof username !== 'string' || username.length === 0) throw new Rejected('username is required');
  const displayName = typeof body.displayName === 'string' ? body.displayName : username;
  const sel = body.authenticatorSelection ?? {};
  // The requested conveyance and authenticator selection are constructor options of Fido2Lib.
  const lib = new Fido2Lib({
    rpId: RP_ID,
    rpName: RP_NAME,
    attestation: body.attestation ?? 'none',
    authenticatorAttachment: sel.authenticatorAttachment,
    authenticatorRequireResidentKey: sel.requireResidentKey,
    authenticatorUserVerification: sel.userVerification,
  });
  const options = await lib.attestationOptions();
  const user = users.get(username);
  // The library leaves `user` empty: the RP supplies the user handle (kept for a returning username).
  const userHandle = user?.userHandle ?? randomBytes(32).toString('base64url');
  const challenge = b64url(options.challenge);
  sessionOf(req, res).registration = {
    username,
    userHandle,
    challenge,
    requireUV: sel.userVerification === 'required',
  };
  return {
    ...options,
    challenge,
    user: { id: userHandle, name: username, displayName },
    excludeCredentials: (user?.credentials ?? []).map((c) => ({ type: 'public-key', id: c.id })),
  };
}

async function attestationResult(req, res, body) {
  const pending = popPending(req, res, 'registration');
  let result;
  try {
    result = await f2l.attestationResult(withBinaryIds(body), {
      challenge: pending.challenge,
      origin: ORIGIN,
      rpId: RP_ID,
      factor: pending.requireUV ? 'first' : 'either',
    });
  } catch (err) {
    throw new Rejected(String(err?.message ?? err));
  }
  const data = result.authnrData;
  let user = users.get(pending.username);
  if (!user) {
    user = { userHandle: pending.userHandle, credentials: [] };
    users.set(pending.username, user);
  }
  // What the docs say to keep: the public key (PEM) and the counter, plus the credential ID to find them.
  user.credentials.push({
    id: b64url(data.get('credId')),
    publicKey: data.get('credentialPublicKeyPem'),
    counter: data.get('counter'),
    transports: data.get('transports'),
  });
  return {};
}

async function assertionOptions(req, res, body) {
  const username = body.username;
  const user = typeof username === 'string' ? users.get(username) : undefined;
  if (!user) throw new Rejected('unknown user');
  const userVerification = body.userVerification ?? 'preferred';
  const lib = new Fido2Lib({ rpId: RP_ID, rpName: RP_NAME, authenticatorUserVerification: userVerification });
  const options = await lib.assertionOptions();
  const challenge = b64url(options.challenge);
  sessionOf(req, res).authentication = {
    username,
    challenge,
    requireUV: userVerification === 'required',
  };
  return {
    ...options,
    challenge,
    allowCredentials: user.credentials.map((c) => ({ type: 'public-key', id: c.id })),
  };
}

async function assertionResult(req, res, body) {
  const pending = popPending(req, res, 'authentication');
  const user = users.get(pending.username);
  let request;
  try {
    request = withBinaryIds(body);
  } catch (err) {
    throw new Rejected(String(err?.message ?? err));
  }
  // The library identifies the credential by rawId (id only when rawId is absent).
  const rawId = request.rawId ?? request.id;
  const credId = rawId instanceof ArrayBuffer ? b64url(rawId) : undefined;
  const credential = user?.credentials.find((c) => c.id === credId);
  if (!credential) throw new Rejected("could not find the credential among this user's credentials");
  let result;
  try {
    result = await f2l.assertionResult(request, {
      challenge: pending.challenge,
      origin: ORIGIN,
      rpId: RP_ID,
      factor: pending.requireUV ? 'first' : 'either',
      publicKey: credential.publicKey,
      prevCounter: credential.counter,
      userHandle: user.userHandle,
      allowCredentials: user.credentials.map((c) => ({ type: 'public-key', id: c.id })),
    });
  } catch (err) {
    throw new Rejected(String(err?.message ?? err));
  }
  credential.counter = result.authnrData.get('counter');
  return {};
}

const routes = {
  '/attestation/options': attestationOptions,
  '/attestation/result': attestationResult,
  '/assertion/options': assertionOptions,
  '/assertion/result': assertionResult,
};

function send(res, code, obj) {
  const text = JSON.stringify(obj);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

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

server.listen(PORT, '127.0.0.1', () => {
  console.log(`fido2-lib adapter listening on http://127.0.0.1:${PORT} (origin ${ORIGIN}, RP ID ${RP_ID})`);
});
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    server.close();
    process.exit(0);
  });
}
