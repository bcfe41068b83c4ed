// The generator's API: read services, then write Envoy bootstraps or Istio resources from them.
export { loadServices, readServices } from "./input/load.ts";
export { InputError } from "./input/reader.ts";
export { envoyBootstrap, generateEnvoyBootstrap, type EnvoyBootstrapOptions } from "./envoy_bootstrap.ts";
export { generateIstio, istioResources, type IstioOptions } from "./istio.ts";
export { formatJson, pluginConfig, type Side } from "./plugin_config.ts";
export { podAnnotationSnippet, istioProxyConfig } from "./stats.ts";
export type { ServiceSpec } from "./model.ts";
export { builtInProtocols } from "./modules.ts";
export { writeModuleImage, type WrittenImage } from "./oci/image_layout.ts";
export type { UncheckedWarning } from "./plugin_check.ts";
