// FIDO2 server conformance API on top of fido2-lib, for webauthn-harness.
// Usage: node server.mjs PORT   (listens on 127.0.0.1:PORT; RP ID "localhost", origin http://localhost:PORT)
import { randomBytes } from 'node:crypto';
import { Fido2Lib, coerceToArrayBuffer } from 'fido2-lib';
// The HTTP side (sessions, request and reply, rejections as 400) is shared with the other Node adapter.
import { Rejected, popPending, portFromArgv, serve, sessionOf } from '../_shared/node/conformance-server.mjs';

const PORT = portFromArgv();
const RP_ID = 'localhost';
const RP_NAME = 'webauthn-harness fido2-lib adapter';
const ORIGIN = `http://localhost:${PORT}`;

// The library's configuration for result calls (challenge, origin, factor, ... come per call).
const f2l = new Fido2Lib({ rpId: RP_ID, rpName: RP_NAME });

// username -> { userHandle: base64url, credentials: [{ id: base64url, publicKey: PEM, counter, transports }] }
const users = new Map();

const b64url = (ab) => Buffer.from(ab).toString('base64url');

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

serve(PORT, routes, 'fido2-lib', `origin ${ORIGIN}, RP ID ${RP_ID}`);
