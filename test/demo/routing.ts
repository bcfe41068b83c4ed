// The routing and rate limit part of `make run`: two awesomerpc server instances, "v1" and "v2", behind one proxy
// whose filter routes by method (command): upper-case calls go to v2, the rest to v1, each connection to the cluster
// of its first call (connection routing: tcp_proxy's cluster chosen by the filter). Delay calls share a local rate
// limit of 3: a burst of 4 gets the over-limit error reply on the 4th, seen by the real client. The bootstrap is
// envoy/awesomerpc.yaml with this plugin configuration, a v2 cluster and tcp_proxy's max_early_data_bytes, written to
// a temporary file (a real envoy must be 1.37+ for connection routing).
import { AwesomeRpcClient } from "../peers/awesomerpc/client.ts";
import { type AwesomeRpcServer, Command, startAwesomeRpcServer } from "../peers/awesomerpc/server.ts";
import { setPluginConfiguration, withDemoProxy } from "./demo_bootstrap.ts";
import { printFilterReport } from "./filter_report.ts";

const PLUGIN_CONFIG = {
  stat_prefix: "routing",
  routes: [
    { name: "upper-to-v2", match: { metadata: [{ name: "cmd", exact_match: String(Command.Upper) }] }, route: { cluster: "awesomerpc_v2" } },
    { name: "default", match: { metadata: [{ name: "cmd", string_match: { safe_regex: { regex: "[0-9]+" } } }] }, route: { cluster: "awesomerpc_v1" } },
  ],
  local_ratelimit: {
    conditions: [
      { match: { metadata: [{ name: "cmd", exact_match: String(Command.Delay) }] }, token_bucket: { max_tokens: 3, tokens_per_fill: 3, fill_interval: "60s" } },
    ],
  },
  access_log: {
    format:
      "access protocol=%PROTOCOL% connection=%CONNECTION_ID% request_id=%REQUEST_ID% cmd=%METHOD% route=%ROUTE% " +
      "cluster=%CLUSTER% response=%RESPONSE_STATUS% details=%RESPONSE_CODE_DETAILS% duration_us=%DURATION_US%",
  },
};

/** envoy/awesomerpc.yaml with two clusters (v1, v2) and connection routing. */
function withRouting(config: any): void {
  setPluginConfiguration(config, PLUGIN_CONFIG);
  const tcpProxy = config.static_resources.listeners[0].filter_chains[0].filters[1];
  tcpProxy.typed_config.cluster = "awesomerpc_v1";
  tcpProxy.typed_config.max_early_data_bytes = 65536; // tcp_proxy reads while the filter holds the new connection
  const template = config.static_resources.clusters[0];
  config.static_resources.clusters = ["awesomerpc_v1", "awesomerpc_v2"].map((name) => {
    const cluster = structuredClone(template);
    cluster.name = cluster.load_assignment.cluster_name = name;
    return cluster;
  });
}

export async function runRoutingDemo(): Promise<void> {
  const v1 = await startAwesomeRpcServer();
  const v2 = await startAwesomeRpcServer();
  console.log(`awesomerpc servers: v1 on 127.0.0.1:${v1.port}, v2 on 127.0.0.1:${v2.port}`);
  const options = { source: "envoy/awesomerpc.yaml", upstreams: { awesomerpc_v1: v1.port, awesomerpc_v2: v2.port }, edit: withRouting };
  try {
    await withDemoProxy(options, async (proxy, { listenerPort, adminPort }) => {
      console.log(`${proxy.name} on 127.0.0.1:${listenerPort}: routes upper-case calls to v2, the rest to v1; delay calls limited to 3\n`);
      await showRouting(listenerPort, v1, v2);
      await showRateLimit(listenerPort);
      await printFilterReport(proxy, adminPort, "awesomerpc");
    });
  } finally {
    await v1.close();
    await v2.close();
  }
}

async function showRouting(listenerPort: number, v1: AwesomeRpcServer, v2: AwesomeRpcServer): Promise<void> {
  const servedBy = (before: { v1: number; v2: number }) =>
    v2.received.length > before.v2 ? "v2" : v1.received.length > before.v1 ? "v1" : "nobody";
  console.log("routing by method (a new connection per call; its first call picks the connection's cluster):");
  for (const [label, command, body] of [
    ['upper "route me"', Command.Upper, "route me"],
    ['echo "route me"', Command.Echo, "route me"],
  ] as const) {
    const before = { v1: v1.received.length, v2: v2.received.length };
    const client = await AwesomeRpcClient.connect(listenerPort);
    const reply = await client.call(command, body);
    client.close();
    console.log(`  ${label.padEnd(44)} -> code ${reply.responseCode}, "${reply.body}", served by ${servedBy(before)}`);
  }
}

async function showRateLimit(listenerPort: number): Promise<void> {
  console.log("\nlocal rate limit: a burst of 4 delay calls on one connection, 3 tokens:");
  const client = await AwesomeRpcClient.connect(listenerPort);
  for (let i = 1; i <= 4; i++) {
    const reply = await client.call(Command.Delay, "0");
    const outcome = reply.responseCode === 0 ? "admitted" : "rejected over limit by the filter (awesomerpc error reply)";
    console.log(`  delay call ${i}${" ".repeat(33)} -> code ${reply.responseCode}: ${outcome}`);
  }
  client.close();
}
