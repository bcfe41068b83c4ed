// The codec of this module, registered once by the protocol module at start-up.
import { Codec } from "../framework/codec";

let registered: Codec | null = null;

export function registerCodec(codec: Codec): void {
  registered = codec;
}

export function registeredCodec(): Codec | null {
  return registered;
}
