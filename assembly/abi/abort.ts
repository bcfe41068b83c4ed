// The module's abort handler (asconfig.json "use": abort=abi_abort): logs the reason at critical level, then ends
// the VM through WASI's proc_exit, which Envoy turns into a failed VM. It allocates nothing, since an abort may come
// from the allocator itself. (@solo-io/proxy-runtime's own handler lives in a file whose start code allocates before
// the collector is set up, so the module does not import that file.)
import * as host from "@solo-io/proxy-runtime/assembly/imports";

// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "proc_exit")
declare function proc_exit(code: u32): void;

const LINE_SIZE: usize = 512;
const LINE = memory.data(<i32>LINE_SIZE);
const CRITICAL: usize = 5;

// @ts-ignore: decorator
@global
export function abi_abort(message: string | null, fileName: string | null, lineNumber: u32, columnNumber: u32): void {
  let at = put(0, "abort: ");
  if (message !== null) at = put(at, message);
  if (fileName !== null) {
    at = put(at, " at ");
    at = put(at, fileName);
    at = putNumber(at, lineNumber);
  }
  host.proxy_log(CRITICAL, LINE, at);
  proc_exit(255);
}

/** Copies `text` into the line as ASCII ('?' for anything else), up to its end. */
function put(at: usize, text: string): usize {
  for (let i = 0; i < text.length && at < LINE_SIZE; i++) {
    const c = text.charCodeAt(i);
    store<u8>(LINE + at++, c < 0x80 ? <u8>c : 0x3f);
  }
  return at;
}

function putNumber(at: usize, n: u32): usize {
  if (at >= LINE_SIZE - 11) return at;
  store<u8>(LINE + at++, 0x3a); // ':'
  let digits: usize = 1;
  for (let v = n; v >= 10; v /= 10) digits++;
  for (let i: usize = 0, v = n; i < digits; i++, v /= 10) store<u8>(LINE + at + digits - 1 - i, <u8>(0x30 + v % 10));
  return at + digits;
}
