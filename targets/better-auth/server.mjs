// The launcher: Better Auth as its docs set it up (email and password, the passkey plugin), its handler mounted
// on Node's http server. No route, check or reply of its own: every request goes to Better Auth's handler.
//
//   node server.mjs PORT    (RP_ID, default "localhost"; RP_ORIGIN, default http://localhost:PORT)
import { createServer } from "node:http";
import { randomBytes } from "node:crypto";
import { betterAuth } from "better-auth";
import { toNodeHandler } from "better-auth/node";
import { passkey } from "@better-auth/passkey";

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error("usage: node server.mjs PORT");
  process.exit(2);
}
const rpID = process.env.RP_ID || "localhost";
const origin = process.env.RP_ORIGIN || `http://localhost:${port}`;

const auth = betterAuth({
  baseURL: origin,
  // No `database`: Better Auth keeps users, sessions, verification values and passkeys in memory.
  secret: process.env.BETTER_AUTH_SECRET || randomBytes(32).toString("base64"),
  emailAndPassword: { enabled: true },
  plugins: [passkey({ rpID, rpName: "webauthn-harness", origin })],
});

createServer(toNodeHandler(auth)).listen(port, "127.0.0.1", () => {
  console.log(`better-auth (passkey plugin) on 127.0.0.1:${port} for origin ${origin}, RP ID ${rpID}`);
});
