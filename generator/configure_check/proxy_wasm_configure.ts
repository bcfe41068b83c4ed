// Runs a filter module's own proxy_on_configure on a plugin configuration, as Envoy does on its canary VM before it
// accepts a listener (proxy-wasm-cpp-host src/wasm.cc WasmHandleBase::canary: _initialize, then
// proxy_on_context_create(root, 0), proxy_on_vm_start, proxy_on_configure; false from either refuses the plugin).
// The module is the only judge: the generator keeps no copy of the filters' rules.
//
// This is a minimal proxy-wasm host, just enough for a module to read and check its configuration: logging, the
// plugin configuration buffer, the clock, metric definitions and the tick period. A module that calls anything else
// while configuring gets an exception naming the call (the check then fails with that name, rather than answering
// for a host it does not have). The full Envoy-compatible host is test/host/; test/generator/configure_check.test.ts
// checks that both give the same verdicts.
import { readFileSync } from "node:fs";

/** proxy-wasm-cpp-host include/proxy-wasm/proxy_wasm_enums.h. */
const WASM_RESULT_OK = 0;
const WASM_RESULT_NOT_FOUND = 1;
const WASM_RESULT_BAD_ARGUMENT = 2;
const PLUGIN_CONFIGURATION_BUFFER = 7;
const LOG_LEVEL_NAMES = ["trace", "debug", "info", "warn", "error", "critical"];
const LOG_LEVEL_INFO = 2;
const ROOT_CONTEXT_ID = 1;

export interface ConfigureResult {
  readonly accepted: boolean;
  /** What the module logged while configuring, `<level>: <message>`. */
  readonly log: readonly string[];
}

/** A host call the check does not provide: the module needs more than configuring takes. */
export class UnsupportedHostCall extends Error {}

const compiled = new Map<string, WebAssembly.Module>();

function compile(wasmFile: string): WebAssembly.Module {
  let module = compiled.get(wasmFile);
  if (module === undefined) {
    module = new WebAssembly.Module(readFileSync(wasmFile));
    compiled.set(wasmFile, module);
  }
  return module;
}

/** Configures a fresh instance of `wasmFile` with `configuration` (a VM per check, as Envoy's canary). */
export function runConfigure(wasmFile: string, configuration: string): ConfigureResult {
  const module = compile(wasmFile);
  const host = new ConfigureHost(wasmFile, new TextEncoder().encode(configuration));
  const instance = new WebAssembly.Instance(module, host.imports(module));
  host.attach(instance);
  const call = (name: string, ...args: number[]): number => {
    const fn = instance.exports[name];
    if (typeof fn !== "function") return 1; // Envoy skips callbacks a module does not export
    const result = (fn as (...a: number[]) => unknown)(...args);
    return typeof result === "number" ? result : 1;
  };
  try {
    if (typeof instance.exports._initialize === "function") call("_initialize");
    else if (typeof instance.exports._start === "function") call("_start");
    call("proxy_on_context_create", ROOT_CONTEXT_ID, 0);
    const started = call("proxy_on_vm_start", ROOT_CONTEXT_ID, 0) !== 0;
    const configured = started && call("proxy_on_configure", ROOT_CONTEXT_ID, host.configuration.length) !== 0;
    return { accepted: configured, log: host.log };
  } catch (error) {
    if (error instanceof UnsupportedHostCall) throw error;
    // A trap fails the VM: Envoy refuses the plugin.
    return { accepted: false, log: [...host.log, `critical: the module trapped while configuring: ${(error as Error).message}`] };
  }
}

class ConfigureHost {
  readonly log: string[] = [];
  private nextMetricId = 1;
  private memory: WebAssembly.Memory | undefined;
  private malloc: ((size: number) => number) | undefined;

  constructor(
    private readonly wasmFile: string,
    readonly configuration: Uint8Array,
  ) {}

  attach(instance: WebAssembly.Instance): void {
    this.memory = instance.exports.memory as WebAssembly.Memory;
    const malloc = instance.exports.malloc ?? instance.exports.proxy_on_memory_allocate;
    this.malloc = malloc as (size: number) => number;
  }

  /** Every import of the module: the calls configuring needs, and for the rest a function that refuses by name. */
  imports(module: WebAssembly.Module): WebAssembly.Imports {
    const provided: Record<string, (...args: any[]) => unknown> = {
      // The abort handler's exit: a trap, for Envoy.
      "wasi_snapshot_preview1.proc_exit": (code: number) => {
        throw new Error(`proc_exit(${code})`);
      },
      "env.proxy_log": (level: number, pointer: number, size: number) => {
        this.log.push(`${LOG_LEVEL_NAMES[level] ?? level}: ${new TextDecoder().decode(this.bytes(pointer, size))}`);
        return WASM_RESULT_OK;
      },
      "env.proxy_get_log_level": (levelPointer: number) => this.setWord(levelPointer, LOG_LEVEL_INFO),
      "env.proxy_get_buffer_status": (type: number, lengthPointer: number, flagsPointer: number) => {
        if (type !== PLUGIN_CONFIGURATION_BUFFER) return WASM_RESULT_NOT_FOUND;
        this.setWord(lengthPointer, this.configuration.length);
        return this.setWord(flagsPointer, 0);
      },
      "env.proxy_get_buffer_bytes": (type: number, start: number, length: number, pointerPointer: number, sizePointer: number) => {
        if (type !== PLUGIN_CONFIGURATION_BUFFER) return WASM_RESULT_NOT_FOUND;
        const bytes = this.configuration.subarray(start, start + length);
        const pointer = this.malloc!(bytes.length);
        new Uint8Array(this.memory!.buffer, pointer, bytes.length).set(bytes);
        this.setWord(pointerPointer, pointer);
        return this.setWord(sizePointer, bytes.length);
      },
      "env.proxy_get_current_time_nanoseconds": (pointer: number) => {
        new DataView(this.memory!.buffer).setBigUint64(pointer, BigInt(Date.now()) * 1_000_000n, true);
        return WASM_RESULT_OK;
      },
      "env.proxy_set_tick_period_milliseconds": () => WASM_RESULT_OK,
      "env.proxy_define_metric": (_type: number, _namePointer: number, _nameSize: number, idPointer: number) =>
        this.setWord(idPointer, this.nextMetricId++),
    };
    const imports: Record<string, Record<string, unknown>> = {};
    for (const { module: from, name, kind } of WebAssembly.Module.imports(module)) {
      if (kind !== "function") continue;
      imports[from] ??= {};
      imports[from][name] =
        provided[`${from}.${name}`] ??
        (() => {
          throw new UnsupportedHostCall(
            `${this.wasmFile} called ${from}.${name} in proxy_on_configure, which the generator's configuration check does not provide`,
          );
        });
    }
    return imports as WebAssembly.Imports;
  }

  private bytes(pointer: number, size: number): Uint8Array {
    return new Uint8Array(this.memory!.buffer, pointer, size);
  }

  private setWord(pointer: number, value: number): number {
    if (pointer + 4 > this.memory!.buffer.byteLength) return WASM_RESULT_BAD_ARGUMENT;
    new DataView(this.memory!.buffer).setUint32(pointer, value, true);
    return WASM_RESULT_OK;
  }
}
