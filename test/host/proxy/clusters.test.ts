import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LogLevel } from "../api.ts";
import { EnvoyStatsStore } from "../stats/stats_store.ts";
import type { ClusterConfig } from "./bootstrap.ts";
import { StaticClusterManager } from "./clusters.ts";

function cluster(overrides: Partial<ClusterConfig>): ClusterConfig {
  return {
    name: "backend",
    type: "STATIC",
    dnsLookupFamily: "AUTO",
    connectTimeoutMs: 1000,
    bufferLimitBytes: 1024,
    lbPolicy: "ROUND_ROBIN",
    endpoints: [],
    http2: false,
    ...overrides,
  };
}

const stats = () => new EnvoyStatsStore({ statsTags: [], useAllDefaultTags: true });

describe("cluster manager", () => {
  it("picks the endpoints of a cluster round robin", async () => {
    const endpoints = [1, 2, 3].map((port) => ({ address: "127.0.0.1", port }));
    const clusters = await StaticClusterManager.create([cluster({ endpoints })], stats(), () => {});
    const backend = clusters.get("backend")!;
    assert.deepEqual(
      [1, 2, 3, 4].map(() => clusters.pickEndpoint(backend).port),
      [1, 2, 3, 1],
    );
    assert.equal(clusters.get("other"), undefined);
  });

  it("resolves STRICT_DNS names to every address of the lookup family, LOGICAL_DNS to the first", async () => {
    const clusters = await StaticClusterManager.create(
      [
        cluster({ name: "strict", type: "STRICT_DNS", dnsLookupFamily: "V4_ONLY", endpoints: [{ address: "localhost", port: 80 }] }),
        cluster({ name: "logical", type: "LOGICAL_DNS", dnsLookupFamily: "V4_ONLY", endpoints: [{ address: "localhost", port: 81 }] }),
      ],
      stats(),
      () => {},
    );
    assert.ok(clusters.get("strict")!.endpoints.some((endpoint) => endpoint.address === "127.0.0.1" && endpoint.port === 80));
    assert.deepEqual(clusters.get("logical")!.endpoints, [{ address: "127.0.0.1", port: 81 }]);
  });

  it("keeps a cluster whose name does not resolve, without endpoints, and warns", async () => {
    const warnings: string[] = [];
    const clusters = await StaticClusterManager.create(
      [cluster({ type: "STRICT_DNS", endpoints: [{ address: "no-such-host.invalid", port: 80 }] })],
      stats(),
      (level, message) => level === LogLevel.Warn && warnings.push(message),
    );
    assert.deepEqual(clusters.get("backend")!.endpoints, []);
    assert.match(warnings[0], /^cluster backend: DNS resolution of no-such-host\.invalid failed/);
    assert.throws(() => clusters.pickEndpoint(clusters.get("backend")!), /cluster backend has no endpoint/);
  });
});
