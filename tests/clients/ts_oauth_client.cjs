// The TypeScript MCP SDK's own OAuth client (what mcp-remote and web clients build on) against a
// hosted jobmojito-mcp in `--auth jobmojito-jwt` mode: no token at the start; it discovers,
// registers, signs in (following the authorize redirects as a browser would), lists the tools and
// calls one. Prints one JSON line for the test to read.
//
//   node ts_oauth_client.cjs <server /mcp URL>    (NODE_MODULES_DIR: where @modelcontextprotocol/client is)
"use strict";
const { createRequire } = require("node:module");
const path = require("node:path");

const sdk = createRequire(path.join(process.env.NODE_MODULES_DIR, "noop.js"))("@modelcontextprotocol/client");
const { Client, StreamableHTTPClientTransport, UnauthorizedError } = sdk;

const serverUrl = new URL(process.argv[2]);
const redirectUrl = "http://127.0.0.1:53683/callback"; // never loaded: read from the last redirect
let clientInformation, tokens, codeVerifier, landed;
let signIns = 0;

const provider = {
  get redirectUrl() {
    return redirectUrl;
  },
  get clientMetadata() {
    return {
      client_name: "TypeScript SDK test client",
      redirect_uris: [redirectUrl],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    };
  },
  clientInformation: () => clientInformation,
  saveClientInformation: (information) => {
    clientInformation = information;
  },
  tokens: () => tokens,
  saveTokens: (saved) => {
    tokens = saved;
  },
  saveCodeVerifier: (verifier) => {
    codeVerifier = verifier;
  },
  codeVerifier: () => codeVerifier,
  async redirectToAuthorization(authorizationUrl) {
    let next = authorizationUrl.toString();
    while (!next.startsWith(redirectUrl)) {
      const answer = await fetch(next, { redirect: "manual" });
      if (answer.status !== 302) throw new Error(`the sign-in page answered ${answer.status}`);
      next = new URL(answer.headers.get("location"), next).toString();
    }
    landed = new URL(next);
    signIns += 1;
  },
};

async function connect() {
  const client = new Client({ name: "ts-oauth-test", version: "0" });
  try {
    await client.connect(new StreamableHTTPClientTransport(serverUrl, { authProvider: provider }));
  } catch (error) {
    if (!(error instanceof UnauthorizedError)) throw error;
    const transport = new StreamableHTTPClientTransport(serverUrl, { authProvider: provider });
    await transport.finishAuth(landed.searchParams);
    await client.connect(transport);
  }
  return client;
}

async function main() {
  const client = await connect();
  const listed = await client.listTools();
  const called = await client.callTool({ name: "list_avatars", arguments: { limit: 1 } });
  console.log(
    JSON.stringify({
      tools: listed.tools.map((tool) => tool.name),
      isError: Boolean(called.isError),
      structured: called.structuredContent,
      signIns,
      accessToken: tokens && tokens.access_token,
      gotRefreshToken: Boolean(tokens && tokens.refresh_token),
    }),
  );
  await client.close();
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : String(error));
  process.exit(1);
});
