// Garbage collection at safe points. The modules use AssemblyScript's minimal runtime (asconfig.json): it keeps no
// shadow stack of live references, which makes every call cheaper and the module smaller (measured in the README),
// but it can only collect when no managed reference lives on the wasm stack. In a proxy-wasm module that is the
// moment the outermost entry point returns to the host, so every entry point that may allocate is bracketed by
// `enterCallback` / `leaveCallback`; a call nested in another (a host call that calls back into the module) never
// collects.
//
// When: a collection stops the VM for a time in proportion to the live objects (every open connection's), so it
// runs only when garbage is known to wait. The request path allocates nothing; garbage comes from connections that
// closed (collected once as many closed as half of those open, so each closed connection costs a bounded share of
// a collection), and from rarer things (configuration, log lines, buffers that grew): those are collected when the
// heap had to grow, and at the latest every FALLBACK_CALLBACKS outermost callbacks.

const FALLBACK_CALLBACKS: u32 = 1 << 20;
/** Closed connections that are always worth a collection. */
const MIN_CLOSED: u32 = 64;

let depth: u32 = 0;
let callbacksSinceCollect: u32 = 0;
let pagesAtLastCollect: i32 = memory.size();
let openConnections: u32 = 0;
let closedSinceCollect: u32 = 0;

// @ts-ignore: decorator
@inline
export function enterCallback(): void {
  depth++;
}

// @ts-ignore: decorator
@inline
export function leaveCallback(): void {
  if (--depth == 0 && (garbageWaits() || ++callbacksSinceCollect >= FALLBACK_CALLBACKS)) collect();
}

export function connectionOpened(): void {
  openConnections++;
}

export function connectionClosed(): void {
  openConnections--;
  closedSinceCollect++;
}

// @ts-ignore: decorator
@inline
function garbageWaits(): bool {
  return memory.size() != pagesAtLastCollect || (closedSinceCollect >= MIN_CLOSED && closedSinceCollect >= openConnections >> 1);
}

function collect(): void {
  __collect();
  callbacksSinceCollect = 0;
  closedSinceCollect = 0;
  pagesAtLastCollect = memory.size();
}
