// The generator's model of one protocol service: what every input format (our MetaProtocolService documents,
// Aeraki's MetaRouter + ApplicationProtocol) is read into, and what every output (Istio, plain Envoy) is made from.
// Parts that end up in a plugin configuration keep the input node they were read from (`origin`), so that a
// refusal by the filter module names the field the user wrote.
import type { Node } from "./input/reader.ts";

export type Direction = "outbound" | "inbound" | "both";
/** tcp: the filter sits before tcp_proxy (routes per connection); bridge: each call is an HTTP/2 stream Envoy routes. */
export type Mode = "tcp" | "bridge";
export type FailStrategy = "FAIL_CLOSE" | "FAIL_OPEN" | "FAIL_RELOAD";

export interface ServiceSpec {
  /** The document (or list item) the service was read from: errors found while generating point back into it. */
  readonly origin: Node;
  /** Base of the generated resource names (a DNS label). */
  readonly name: string;
  readonly namespace?: string;
  /** Free text written as the header comment of generated Envoy bootstraps. */
  readonly description?: string;
  /** A built-in protocol (generator/modules.ts), or a custom module's protocol name. */
  readonly protocol: string;
  readonly module: ModuleSpec;
  /** The service's host name (Istio: its FQDN) and port. */
  readonly host: string;
  readonly port: number;
  readonly hostOrigin: Node;
  /** The port the service's pods listen on (Istio's inbound side); the service port unless set. */
  readonly targetPort: number;
  readonly direction: Direction;
  readonly mode: Mode;
  /** Bridge mode's settings; present exactly when mode is bridge. */
  readonly bridge?: BridgeSpec;
  /** What only Istio output of a bridge-mode service uses (the `istio` map); bridge mode only. */
  readonly istio?: IstioSpec;
  /** Workload labels of the client side (outbound) and of the server side (inbound); none: every workload. */
  readonly clientSelector?: Labels;
  readonly serverSelector?: Labels;
  readonly failStrategy: FailStrategy;
  readonly filter: FilterOptions;
  readonly routes: readonly RouteSpec[];
  readonly localRateLimit?: LocalRateLimitSpec;
  readonly globalRateLimit?: GlobalRateLimitSpec;
  readonly envoy: EnvoySpec;
}

export type Labels = Readonly<Record<string, string>>;

export interface ModuleSpec {
  /** oci://, http(s):// or file:// (Istio); undefined: Istio output refuses the service. */
  readonly url?: string;
  readonly sha256?: string;
  readonly imagePullPolicy?: "IfNotPresent" | "Always";
  readonly imagePullSecret?: string;
}

/** Plugin options that apply to every generated filter of the service (see README, Configuration). */
export interface FilterOptions {
  /** The `filter` map (its fields are the options below); undefined when the input has none. */
  readonly origin?: Node;
  readonly statPrefix?: string;
  readonly maxFrameSize?: number;
  readonly maxPendingRequests?: number;
  readonly accessLog?: boolean;
  readonly requestMutation: readonly KeyValue[];
  readonly codec?: Readonly<Record<string, unknown>>;
  readonly connectionRouting?: boolean;
  readonly routeMismatch?: "forward" | "reject";
  /** The access log line's format (the filters' %COMMAND% syntax). */
  readonly accessLogFormat?: string;
  readonly generateRequestId?: boolean;
  /** A protobuf JSON duration, "0s" for off. */
  readonly frameTimeout?: string;
}

export interface KeyValue {
  readonly key: string;
  readonly value: string;
  readonly origin?: Node;
}

export type MatchKind = "exact" | "prefix" | "suffix" | "contains" | "regex" | "present";

/** One metadata matcher (an Envoy HeaderMatcher on the request's metadata). */
export interface AttributeMatch {
  readonly name: string;
  readonly kind: MatchKind;
  /** The string to compare with; empty for `present`. */
  readonly value: string;
  /** The attribute's entry (`attributes.<name>`). */
  readonly origin?: Node;
}

export interface RouteSpec {
  readonly origin?: Node;
  readonly name: string;
  readonly match: readonly AttributeMatch[];
  readonly destinations: readonly WeightedDestination[];
  readonly requestMutation: readonly KeyValue[];
  readonly responseMutation: readonly KeyValue[];
  /** Per-call policies Envoy's router applies: bridge mode only (a network filter cannot retry or copy one call). */
  readonly timeout?: string;
  readonly retries?: RetriesSpec;
  readonly mirror?: MirrorSpec;
  /** Delays or aborts a share of the calls (Istio's HTTP fault injection); bridge mode, Istio output only. */
  readonly fault?: FaultSpec;
}

export interface FaultSpec {
  /** The `fault` map: the plain Envoy output refuses it by name. */
  readonly origin: Node;
  readonly delay?: { readonly fixedDelay: string; readonly percentage: number };
  readonly abort?: { readonly httpStatus: number; readonly percentage: number };
}

export interface RetriesSpec {
  readonly attempts: number;
  readonly perTryTimeout?: string;
  /** Envoy's retry_on conditions, comma-separated. */
  readonly retryOn: string;
}

export interface MirrorSpec {
  readonly destination: Destination;
  /** Percent of the calls copied, 0 to 100. */
  readonly percentage: number;
}

/** Bridge mode: where the client side listens is envoy.listener; these place the server side and name the calls. */
export interface BridgeSpec {
  readonly origin: Node;
  /** The `:authority` the client side writes, which selects the virtual host. */
  readonly authority: string;
  /** The address the server-side listeners bind and the HTTP/2 clusters connect to. */
  readonly serverAddress: string;
  /** The first server-side listener's port; the next ones follow. */
  readonly serverPort: number;
  /** The input's Kubernetes Service was seen to make the port HTTP/2 for Istio (Aeraki input): no patch to suggest. */
  readonly http2PortChecked?: boolean;
}

/** Istio output of a bridge-mode service: the DestinationRule's subsets and policy, the AuthorizationPolicy's methods. */
export interface IstioSpec {
  readonly origin: Node;
  readonly subsets: readonly SubsetSpec[];
  /** A DestinationRule trafficPolicy, written as given (Istio's schema checks it). */
  readonly trafficPolicy?: Readonly<Record<string, unknown>>;
  /** The calls the server workload accepts (an ALLOW AuthorizationPolicy on their paths); undefined: no policy. */
  readonly allowMethods?: readonly MethodSpec[];
}

export interface SubsetSpec {
  readonly name: string;
  readonly labels: Labels;
  readonly trafficPolicy?: Readonly<Record<string, unknown>>;
}

/** A method of a service (the request's service and method keys); `*` as method: every method of the service. */
export interface MethodSpec {
  readonly service: string;
  readonly method: string;
  readonly origin: Node;
}

/** A service, or one subset of it, at a port: one upstream cluster. */
export interface Destination {
  readonly host: string;
  readonly port: number;
  readonly subset?: string;
  /** Where the host was written (the destination's own, or the service's it defaults to). */
  readonly hostOrigin?: Node;
}

export interface WeightedDestination extends Destination {
  readonly weight: number;
  /** The `{destination, weight}` item. */
  readonly origin?: Node;
}

export interface TokenBucketSpec {
  readonly origin?: Node;
  readonly maxTokens: number;
  readonly tokensPerFill?: number;
  readonly fillInterval: string;
}

export interface LocalRateLimitSpec {
  readonly origin?: Node;
  readonly tokenBucket?: TokenBucketSpec;
  readonly conditions: readonly {
    readonly origin?: Node;
    readonly match: readonly AttributeMatch[];
    readonly tokenBucket: TokenBucketSpec;
  }[];
}

export interface GlobalRateLimitSpec {
  readonly origin?: Node;
  readonly domain: string;
  readonly match: readonly AttributeMatch[];
  readonly descriptors: readonly { readonly property: string; readonly descriptorKey: string; readonly origin?: Node }[];
  /** The gRPC rate limit service (envoy.service.ratelimit.v3). */
  readonly service: Destination;
  readonly timeout: string;
  readonly failureModeDeny: boolean;
}

/** What only a plain Envoy bootstrap needs: where to listen, the admin port, the module file, cluster endpoints. */
export interface EnvoySpec {
  readonly listener: { readonly name: string; readonly address: string; readonly port: number };
  readonly admin?: { readonly address: string; readonly port: number };
  /** Local path of the .wasm file. */
  readonly module: string;
  readonly clusters: readonly EnvoyClusterSpec[];
}

/** Overrides the name and endpoints Envoy uses for one destination (by default `outbound|PORT|SUBSET|HOST`, DNS). */
export interface EnvoyClusterSpec extends Destination {
  readonly name?: string;
  /** host:port pairs; IP addresses make a STATIC cluster, names a STRICT_DNS one. */
  readonly endpoints?: readonly { readonly address: string; readonly port: number }[];
  readonly connectTimeout?: string;
}
