// The TypeScript MCP SDK's client against `jobmojito-mcp --dynamic-toolsets` over stdio: lists the
// tools, enables a toolset, and waits for its `listChanged` handler to bring the refreshed list (no
// reconnect, no list call of its own); then calls a tool of the enabled toolset. Prints one JSON line.
//
//   node ts_dynamic_toolsets.cjs   (SERVER_COMMAND: JSON argv; SERVER_ENV: JSON env; NODE_MODULES_DIR)
"use strict";
const { createRequire } = require("node:module");
const path = require("node:path");

const load = createRequire(path.join(process.env.NODE_MODULES_DIR, "noop.js"));
const { Client } = load("@modelcontextprotocol/client");
const { StdioClientTransport, getDefaultEnvironment } = load("@modelcontextprotocol/client/stdio");

async function main() {
  const [command, ...args] = JSON.parse(process.env.SERVER_COMMAND);
  const env = { ...getDefaultEnvironment(), ...JSON.parse(process.env.SERVER_ENV) };
  let resolveRefreshed;
  const refreshed = new Promise((resolve) => {
    resolveRefreshed = resolve;
  });
  const client = new Client(
    { name: "ts-dynamic-toolsets-test", version: "0" },
    {
      listChanged: {
        tools: {
          debounceMs: 0,
          onChanged: (error, tools) => resolveRefreshed(error ? { error: String(error) } : tools),
        },
      },
    },
  );
  await client.connect(new StdioClientTransport({ command, args, env, stderr: "ignore" }));
  try {
    const before = (await client.listTools()).tools.map((tool) => tool.name);
    await client.callTool({ name: "enable_toolset", arguments: { toolset: "account" } });
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error("no list_changed within 10 s")), 10000));
    const tools = await Promise.race([refreshed, timeout]);
    if (tools.error) throw new Error(tools.error);
    const status = await client.callTool({ name: "get_merchant_status", arguments: {} });
    process.stdout.write(
      JSON.stringify({
        before,
        refreshed: tools.map((tool) => tool.name),
        isError: status.isError === true,
        structured: status.structuredContent,
      }) + "\n",
    );
  } finally {
    await client.close();
  }
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
