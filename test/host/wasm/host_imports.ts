// The import object a module is instantiated with: exactly the functions of envoy_abi.ts's table, implemented by
// topic in abi/. Words arrive from wasm as signed i32 and are made unsigned (cpp-host's Word is uint32); while the
// VM runs _initialize/_start, calls outside the allowed few fail as in cpp-host's restricted mode (WasmBase::startVm):
// proxy functions answer InternalFailure, WASI ones ENOTCAPABLE (76).
import { WasmResult } from "./abi_codes.ts";
import { asyncCallFunctions } from "./abi/async_calls.ts";
import { bufferFunctions } from "./abi/buffers.ts";
import { contextFunctions } from "./abi/context_control.ts";
import { foreignFunctionFunctions } from "./abi/foreign_function.ts";
import { headerMapFunctions } from "./abi/header_maps.ts";
import { loggingFunctions } from "./abi/logging.ts";
import { metricFunctions } from "./abi/metrics.ts";
import { propertyFunctions } from "./abi/properties.ts";
import { sharedDataFunctions } from "./abi/shared_data.ts";
import { sharedQueueFunctions } from "./abi/shared_queues.ts";
import { streamFunctions } from "./abi/streams.ts";
import { emscriptenFunctions, wasiFunctions } from "./abi/wasi.ts";
import { HOST_FUNCTIONS, type HostFunction } from "./envoy_abi.ts";
import { LogLevel } from "../api.ts";
import type { WasmVm } from "./wasm_vm.ts";

/** A host call as the topic modules write it: unsigned words, i64 as bigint (each declares its own parameters). */
export type HostCall = (...args: any[]) => number | void;
export type HostCalls = Readonly<Record<string, HostCall>>;

const RESTRICTED_ALLOWED = new Set([
  "proxy_log",
  "fd_write",
  "args_sizes_get",
  "args_get",
  "environ_sizes_get",
  "environ_get",
  "fd_prestat_get",
  "fd_prestat_dir_name",
  "clock_time_get",
  "random_get",
]);

const WASI_ENOTCAPABLE = 76;

/** The implementations of every env.* function, by name, and of every WASI function (same for both modules). */
export function implementations(vm: WasmVm): { env: HostCalls; wasi: HostCalls } {
  const env = {
    ...loggingFunctions(vm),
    ...bufferFunctions(vm),
    ...streamFunctions(vm),
    ...headerMapFunctions(vm),
    ...propertyFunctions(vm),
    ...metricFunctions(vm),
    ...sharedDataFunctions(vm),
    ...sharedQueueFunctions(vm),
    ...contextFunctions(vm),
    ...foreignFunctionFunctions(vm),
    ...asyncCallFunctions(vm),
    ...emscriptenFunctions(),
  };
  return { env, wasi: wasiFunctions(vm) };
}

export function buildImports(vm: WasmVm): WebAssembly.Imports {
  const { env, wasi } = implementations(vm);
  const imports: Record<string, Record<string, HostCall>> = {};
  for (const spec of HOST_FUNCTIONS.filter((f) => f.abi.includes(vm.env.abi))) {
    const impl = (spec.module === "env" ? env : wasi)[spec.name];
    if (!impl) throw new Error(`host function ${spec.module}.${spec.name} has no implementation`);
    (imports[spec.module] ??= {})[spec.name] = guarded(vm, spec, impl);
  }
  return imports;
}

function guarded(vm: WasmVm, spec: HostFunction, impl: HostCall): HostCall {
  const denied = spec.module === "env" ? WasmResult.InternalFailure : WASI_ENOTCAPABLE;
  const capability = spec.module === "env" ? `proxy-wasm capability: ${spec.name}` : `WASI capability: ${spec.name}`;
  return (...args: (number | bigint)[]) => {
    if (vm.restricted && !RESTRICTED_ALLOWED.has(spec.name)) {
      vm.hostLog(LogLevel.Error, `Attempted call to restricted ${capability}`);
      return spec.results.length > 0 ? denied : undefined;
    }
    for (let i = 0; i < args.length; i++) if (typeof args[i] === "number") args[i] = (args[i] as number) >>> 0;
    return impl(...args);
  };
}
