// FIDO2 server conformance API on top of @simplewebauthn/server, for webauthn-harness.
// Usage: node server.mjs PORT   (listens on 127.0.0.1:PORT; RP ID "localhost", origin http://localhost:PORT)
import { readFileSync } from 'node:fs';
import {
  generateRegistrationOptions,
  verifyRegistrationResponse,
  generateAuthenticationOptions,
  verifyAuthenticationResponse,
  SettingsService,
} from '@simplewebauthn/server';
// The HTTP side (sessions, request and reply, rejections as 400) is shared with the other Node adapter.
import { Rejected, popPending, portFromArgv, serve, sessionOf } from '../_shared/node/conformance-server.mjs';

const PORT = portFromArgv();
const RP_ID = 'localhost';
const RP_NAME = 'webauthn-harness simplewebauthn adapter';
const ORIGIN = `http://localhost:${PORT}`;

// Trust in the harness's attestation root (`webauthn-harness pki export`, committed in ../_shared/harness-pki/),
// registered the way the library takes root certificates: SettingsService.setRootCertificates per attestation
// format. That call replaces a format's list, so the library's own default roots (Google's for android-key,
// GlobalSign for android-safetynet, Apple's for apple) are read first and kept beside the harness root.
const HARNESS_ROOT = readFileSync(new URL('../_shared/harness-pki/attestation-root.pem', import.meta.url), 'utf8');
for (const identifier of ['packed', 'fido-u2f', 'tpm', 'android-key', 'android-safetynet', 'apple']) {
  const defaults = SettingsService.getRootCertificates({ identifier });
  SettingsService.setRootCertificates({ identifier, certificates: [...defaults, HARNESS_ROOT] });
}

// username -> { webAuthnUserID: base64url string, passkeys: [{ id, publicKey, counter, transports, ... }] }
const users = new Map();

// The library quotes the challenges in some of its messages; the issued one is random per run
// (and so is anything the client derived from it), so replace the challenge the client sent, then
// the issued one, by placeholders to keep the messages, and the graded reports, stable.
function scrub(message, pending, body) {
  let out = String(message);
  try {
    const b64 = body?.response?.clientDataJSON;
    const sent = JSON.parse(Buffer.from(b64, 'base64url').toString('utf8')).challenge;
    if (typeof sent === 'string' && sent.length > 0) out = out.split(`"${sent}"`).join('"<received challenge>"');
  } catch {
    // clientDataJSON unreadable: nothing from it can be in the message
  }
  if (pending?.challenge) out = out.split(pending.challenge).join('<issued challenge>');
  return out;
}

async function attestationOptions(req, res, body) {
  const username = body.username;
  if (typeof username !== 'string' || username.length === 0) throw new Rejected('username is required');
  const displayName = typeof body.displayName === 'string' ? body.displayName : username;
  const selection = { ...(body.authenticatorSelection ?? {}) };
  const user = users.get(username);
  const options = await generateRegistrationOptions({
    rpName: RP_NAME,
    rpID: RP_ID,
    userName: username,
    userDisplayName: displayName,
    // A returning user keeps their WebAuthn user handle; a new one gets a library-generated one.
    userID: user ? Buffer.from(user.webAuthnUserID, 'base64url') : undefined,
    attestationType: body.attestation ?? 'none',
    excludeCredentials: (user?.passkeys ?? []).map((p) => ({ id: p.id, transports: p.transports })),
    authenticatorSelection: selection,
    extensions: body.extensions,
  });
  sessionOf(req, res).registration = {
    username,
    webAuthnUserID: options.user.id,
    challenge: options.challenge,
    requireUV: selection.userVerification === 'required',
  };
  return options;
}

async function attestationResult(req, res, body) {
  const pending = popPending(req, res, 'registration');
  let verification;
  try {
    verification = await verifyRegistrationResponse({
      response: body,
      expectedChallenge: pending.challenge,
      expectedOrigin: ORIGIN,
      expectedRPID: RP_ID,
      requireUserVerification: pending.requireUV,
    });
  } catch (err) {
    throw new Rejected(scrub(err?.message ?? err, pending, body));
  }
  if (!verification.verified) throw new Rejected('registration response not verified (verified: false)');
  const { credential, credentialDeviceType, credentialBackedUp } = verification.registrationInfo;
  let user = users.get(pending.username);
  if (!user) {
    user = { webAuthnUserID: pending.webAuthnUserID, passkeys: [] };
    users.set(pending.username, user);
  }
  user.passkeys.push({
    id: credential.id,
    publicKey: credential.publicKey,
    counter: credential.counter,
    transports: credential.transports,
    webAuthnUserID: pending.webAuthnUserID,
    deviceType: credentialDeviceType,
    backedUp: credentialBackedUp,
  });
  return {};
}

async function assertionOptions(req, res, body) {
  const username = body.username;
  const user = typeof username === 'string' ? users.get(username) : undefined;
  if (!user) throw new Rejected('unknown user');
  const userVerification = body.userVerification ?? 'preferred';
  const options = await generateAuthenticationOptions({
    rpID: RP_ID,
    allowCredentials: user.passkeys.map((p) => ({ id: p.id, transports: p.transports })),
    userVerification,
    extensions: body.extensions,
  });
  sessionOf(req, res).authentication = {
    username,
    challenge: options.challenge,
    requireUV: userVerification === 'required',
  };
  return options;
}

async function assertionResult(req, res, body) {
  const pending = popPending(req, res, 'authentication');
  const user = users.get(pending.username);
  const passkey = user?.passkeys.find((p) => p.id === body.id);
  if (!passkey) throw new Rejected('could not find the credential among this user\'s passkeys');
  let verification;
  try {
    verification = await verifyAuthenticationResponse({
      response: body,
      expectedChallenge: pending.challenge,
      expectedOrigin: ORIGIN,
      expectedRPID: RP_ID,
      credential: {
        id: passkey.id,
        publicKey: passkey.publicKey,
        counter: passkey.counter,
        transports: passkey.transports,
      },
      requireUserVerification: pending.requireUV,
    });
  } catch (err) {
    throw new Rejected(scrub(err?.message ?? err, pending, body));
  }
  if (!verification.verified) throw new Rejected('authentication response not verified (verified: false)');
  passkey.counter = verification.authenticationInfo.newCounter;
  return {};
}

const routes = {
  '/attestation/options': attestationOptions,
  '/attestation/result': attestationResult,
  '/assertion/options': assertionOptions,
  '/assertion/result': assertionResult,
};

serve(PORT, routes, 'simplewebauthn', `origin ${ORIGIN}, RP ID ${RP_ID}`);
