// How this module makes codecs, registered once by the protocol module at start-up. Each connection asks for its
// codec; a codec without per-connection state can hand out one shared instance.
import { Codec } from "../core/codec";

let factory: (() => Codec) | null = null;

export function registerCodec(create: () => Codec): void {
  factory = create;
}

export function registeredCodecFactory(): (() => Codec) | null {
  return factory;
}
