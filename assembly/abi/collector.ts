// Garbage collection at safe points. The modules use AssemblyScript's minimal runtime (asconfig.json): it keeps no
// shadow stack of live references, which makes every call cheaper and the module smaller (measured in the README),
// but it can only collect when no managed reference lives on the wasm stack. In a proxy-wasm module that is the
// moment the outermost entry point returns to the host, so every entry point that may allocate is bracketed by
// `enterCallback` / `leaveCallback`; a call nested in another (a host call that calls back into the module) never
// collects.
//
// When: the request path allocates nothing, so garbage comes from connections coming and going, configuration and
// log lines. A collection costs time in proportion to the live objects, so it runs when the heap had to grow since the
// last one (it is full of live objects and garbage), and otherwise once every COLLECT_EVERY outermost callbacks,
// which bounds how much garbage can wait without reading the clock.

/** Outermost callbacks between two collections when the heap does not grow. */
const COLLECT_EVERY: u32 = 4096;

let depth: u32 = 0;
let callbacksSinceCollect: u32 = 0;
let pagesAtLastCollect: i32 = memory.size();

// @ts-ignore: decorator
@inline
export function enterCallback(): void {
  depth++;
}

// @ts-ignore: decorator
@inline
export function leaveCallback(): void {
  if (--depth == 0 && (++callbacksSinceCollect >= COLLECT_EVERY || memory.size() != pagesAtLastCollect)) collect();
}

function collect(): void {
  __collect();
  callbacksSinceCollect = 0;
  pagesAtLastCollect = memory.size();
}
