// The generator's metric settings against what the filter really emits, with a real Dubbo consumer and provider on
// the bundled host (a route, so that every family of metrics exists: per method, per route, per cluster): the tags
// in the filter's metric names are exactly the generated Envoy `stats_tags`
// and the pod annotation's `extraStatTags` (as the stats_tags Istio makes of them), each becomes a Prometheus label
// and none is left in a name; the annotation's `proxyStatsMatcher` covers every metric the filter defines.
// Needs `make build`.
import assert from "node:assert/strict";
import { declaredMetrics } from "../docs/metric_table.ts";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import { generateEnvoyBootstrap, podAnnotationSnippet, readServices } from "../../generator/index.ts";
import { eventually, parseSamples, startTestHost, type RunningHost, type Sample } from "../e2e/host_fixture.ts";
import { connectDubboConsumer } from "../peers/dubbo/consumer.ts";
import { DEMO_SERVICE, startDubboProvider, type DubboProvider } from "../peers/dubbo/provider.ts";

/** The per-method metric names once every tag is a label (the PluginAndMethod metrics of docs/metrics-and-logs.md). */
/** The per-method metric names Envoy's Prometheus output may show: every declared one, histograms by their series. */
const PER_METHOD = new RegExp(
  `^meta_protocol_by_method_(${declaredMetrics()
    .filter((m) => m.scope === "PluginAndMethod")
    .map((m) => (m.kind === "histogram" ? `${m.name}_(bucket|sum|count)` : m.name))
    .join("|")})$`,
);

interface StatsTag {
  readonly tag_name: string;
  readonly regex: string;
}

function services(providerPort: number): string {
  return `kind: MetaProtocolService
name: tagged
protocol: dubbo
host: 127.0.0.1
port: ${providerPort}
filter: { statPrefix: tagged }
routes:
- name: all
  route: [{ destination: {} }]
envoy:
  listener: { address: 127.0.0.1, port: 0 }
  admin: { address: 127.0.0.1, port: 0 }
`;
}

/** The ProxyConfig `npx meta-protocol-wasm pod-annotation` prints. */
function annotatedProxyConfig(): { extraStatTags: string[]; proxyStatsMatcher: { inclusionPrefixes: string[] } } {
  return parse(parse(podAnnotationSnippet()).metadata.annotations["proxy.istio.io/config"]);
}

/** The stats_tags Istio writes into a sidecar's bootstrap for extraStatTags (its `({{tag}}=\.=(.*?);\.;)` template). */
function istioStatsTags(extraStatTags: readonly string[]): StatsTag[] {
  return extraStatTags.map((tag) => ({ tag_name: tag, regex: `(${tag}=\\.=(.*?);\\.;)` }));
}

/** Tag names written into the names of /stats lines (`tag=.=value;.;`). */
function tagsInNames(statsText: string): Set<string> {
  const names = statsText.split("\n").map((line) => line.slice(0, line.indexOf(": ")));
  return new Set(names.flatMap((name) => [...name.matchAll(/([A-Za-z0-9_]+)=\.=/g)].map((m) => m[1])));
}

describe("the generator's stat tags and the metrics the filter emits", { timeout: 30_000 }, () => {
  let provider: DubboProvider;
  let bootstrap: any;

  before(async () => {
    provider = await startDubboProvider();
    bootstrap = parse(generateEnvoyBootstrap(readServices("tagged.yaml", services(provider.port))));
  });
  after(async () => provider?.close());

  const variants: [string, () => StatsTag[]][] = [
    ["the Envoy bootstrap's stats_tags", () => bootstrap.stats_config.stats_tags],
    ["the pod annotation's extraStatTags, as Istio turns them into stats_tags", () => istioStatsTags(annotatedProxyConfig().extraStatTags)],
  ];
  for (const [what, statsTags] of variants) {
    describe(what, () => {
      let host: RunningHost;

      before(async () => {
        const config = structuredClone(bootstrap);
        config.stats_config = { stats_tags: statsTags() };
        host = await startTestHost(config, "tagged");
        const consumer = await connectDubboConsumer(host.port);
        try {
          assert.equal(await consumer.invoke("sayHello", ["tags"]), "Hello tags");
        } finally {
          await consumer.close();
        }
      });
      after(async () => host?.stop());

      it("name exactly the tags the filter writes into its metric names", async () => {
        const configured = statsTags().map((tag) => tag.tag_name);
        assert.deepEqual([...tagsInNames(await host.statsText())].sort(), [...configured].sort());
      });

      it("turn every tag into a label, leaving none in a metric name", async () => {
        let samples: Sample[] = [];
        await eventually(async () => {
          samples = parseSamples(await host.prometheus());
          return samples.some((s) => s.name === "meta_protocol_by_method_request_time_ms_count" && s.value === 1);
        }, "sayHello's time recorded");
        const request = samples.find((s) => s.name === "meta_protocol_by_method_request");
        assert.deepEqual(request?.labels, { protocol: "dubbo", stat_prefix: "tagged", service: DEMO_SERVICE, method: "sayHello" });
        assert.equal(request?.value, 1);
        const perMethod = samples.filter((s) => s.name.startsWith("meta_protocol_by_method"));
        assert.ok(perMethod.length > 10, `${perMethod.length} per-method samples`);
        for (const s of perMethod) assert.match(s.name, PER_METHOD);
      });
    });
  }

  it("the pod annotation's proxyStatsMatcher covers every metric the filter defines", async () => {
    const host = await startTestHost(bootstrap, "tagged");
    try {
      // Envoy prints metrics of its custom namespaces (wasmcustom: every proxy_define_metric) without "envoy_".
      const filterMetrics = parseSamples(await host.prometheus()).filter((s) => !s.name.startsWith("envoy_"));
      assert.ok(filterMetrics.length > 20, `${filterMetrics.length} metrics of the filter`);
      const prefixes = annotatedProxyConfig().proxyStatsMatcher.inclusionPrefixes.map((p) => p.replace(/^wasmcustom\./, "").replaceAll(".", "_"));
      for (const s of filterMetrics) assert.ok(prefixes.some((p) => s.name.startsWith(p)), `${s.name} is not under ${prefixes}`);
    } finally {
      await host.stop();
    }
  });
});
