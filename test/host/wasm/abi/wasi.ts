// The WASI subset Envoy provides (under wasi_snapshot_preview1 and wasi_unstable), and the two Emscripten helpers: stdout/stderr go to the log (info/error), the environment is the plugin's
// vm_config.environment_variables, clocks are realtime and monotonic, files do not exist, proc_exit only logs
// (at trace) and returns.
// Read: cpp-host src/exports.cc (wasi_unstable_* functions and their errno values).
import { randomFillSync } from "node:crypto";
import { LogLevel } from "../../api.ts";
import type { HostCalls } from "../host_imports.ts";
import type { WasmVm } from "../wasm_vm.ts";
import { wallClockNanoseconds } from "./context_control.ts";

const SUCCESS = 0;
const EBADF = 8;
const EFAULT = 21;
const EINVAL = 28;
const ENOENT = 44;
const ENOSYS = 52;
const ENOTSUP = 58;
/** PROXY_WASM_HOST_WASI_RANDOM_GET_MAX_SIZE_BYTES */
const RANDOM_GET_MAX = 64 * 1024;
/** __WASI_RIGHTS_FD_WRITE, the only right fd_fdstat_get reports */
const RIGHTS_FD_WRITE = 64n;

export function wasiFunctions(vm: WasmVm): HostCalls {
  const environment = () => Object.entries(vm.settings.environment).map(([k, v]) => new TextEncoder().encode(`${k}=${v}\0`));
  return {
    fd_write(fd: number, iovs: number, iovsCount: number, writtenPointer: number) {
      const level = fd === 1 ? LogLevel.Info : fd === 2 ? LogLevel.Error : undefined;
      if (level === undefined) return EBADF;
      const parts: Uint8Array[] = [];
      for (let i = 0; i < iovsCount; i++) {
        const buffer = vm.memory.getWord(iovs + i * 8);
        const length = vm.memory.getWord(iovs + i * 8 + 4);
        const part = buffer === undefined || length === undefined ? undefined : vm.memory.copy(buffer, length);
        if (!part) return EFAULT;
        parts.push(part);
      }
      const text = new TextDecoder().decode(Buffer.concat(parts));
      if (text.length > 0) vm.log(vm.effectiveContext(), level, text.replace(/\n$/, ""));
      return vm.memory.setWord(writtenPointer, Buffer.byteLength(text)) ? SUCCESS : EFAULT;
    },
    fd_read: () => ENOSYS,
    fd_seek: () => SUCCESS,
    fd_close: () => SUCCESS,
    fd_fdstat_get(fd: number, statPointer: number) {
      if (fd !== 1 && fd !== 2) return EBADF;
      vm.memory.write(statPointer, new Uint8Array(24));
      vm.memory.setU64(statPointer + 8, RIGHTS_FD_WRITE);
      return SUCCESS;
    },
    environ_sizes_get(countPointer: number, sizePointer: number) {
      const entries = environment();
      const size = entries.reduce((n, e) => n + e.length, 0);
      return vm.memory.setWord(countPointer, entries.length) && vm.memory.setWord(sizePointer, size) ? SUCCESS : EFAULT;
    },
    environ_get(arrayPointer: number, bufferPointer: number) {
      for (const entry of environment()) {
        if (!vm.memory.setWord(arrayPointer, bufferPointer) || !vm.memory.write(bufferPointer, entry)) return EFAULT;
        arrayPointer += 4;
        bufferPointer += entry.length;
      }
      return SUCCESS;
    },
    args_get: () => SUCCESS,
    args_sizes_get(countPointer: number, sizePointer: number) {
      return vm.memory.setWord(countPointer, 0) && vm.memory.setWord(sizePointer, 0) ? SUCCESS : EFAULT;
    },
    clock_time_get(clockId: number, _precision: bigint, resultPointer: number) {
      if (clockId > 1) return ENOTSUP;
      const now = clockId === 0 ? wallClockNanoseconds() : process.hrtime.bigint();
      return vm.memory.setU64(resultPointer, now) ? SUCCESS : EFAULT;
    },
    random_get(bufferPointer: number, length: number) {
      if (length > RANDOM_GET_MAX) return EINVAL;
      if (length === 0) return SUCCESS;
      return vm.memory.write(bufferPointer, randomFillSync(new Uint8Array(length))) ? SUCCESS : EFAULT;
    },
    proc_exit() {
      vm.hostLog(LogLevel.Trace, "wasi_unstable proc_exit");
    },
    path_open: () => ENOENT,
    fd_prestat_get: () => EBADF,
    fd_prestat_dir_name: () => ENOSYS,
  };
}

/** The two runtime helpers Envoy links in "env" for Emscripten-built modules. */
export function emscriptenFunctions(): HostCalls {
  return {
    pthread_equal: (left: number, right: number) => (left === right ? 1 : 0),
    emscripten_notify_memory_growth() {},
  };
}
