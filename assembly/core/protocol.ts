// A protocol as a module registers it (MetaProtocol's codec factory, Envoy generic_proxy's CodecFactoryConfig): its
// name and keys, and, per plugin, a codec factory made from the plugin's `codec` options. Nothing per plugin lives in
// the protocol object itself: Envoy runs every plugin of a module that shares a VM key in one VM (one set of module
// globals), so per-plugin state must live in the factory that the plugin owns.
import { FieldErrors } from "../lib/json_fields";
import { JsonValue } from "../lib/json";
import { Codec } from "./codec";

/** What a plugin tells its codecs, besides the protocol's own options. */
@final
export class CodecSettings {
  constructor(
    /**
     * Whether `decode` must read every key/value, or may stop once the message header, the service and the method
     * are known: false when no filter of the plugin reads another key (key_usage.ts).
     */
    public readonly readsAllKeyValues: bool,
  ) {}
}

/** Makes the codec of each new connection of one plugin. */
export abstract class CodecFactory {
  abstract create(): Codec;
}

/** For codecs that keep no per-connection state: the plugin's connections share one. */
@final
export class SharedCodecFactory extends CodecFactory {
  constructor(private readonly codec: Codec) {
    super();
  }

  create(): Codec {
    return this.codec;
  }
}

export abstract class Protocol {
  /** The `<protocol>` part of metric names and the `protocol` of access log lines. */
  abstract name(): string;

  /** The metadata key naming a request's service ("" when the protocol has none): a tag of per-method metrics. */
  serviceKey(): string {
    return "";
  }

  /** The metadata key naming a request's method ("" for none): per-method metrics are kept when it is set. */
  methodKey(): string {
    return "";
  }

  /**
   * Reads one plugin's codec options (the `codec` object of its configuration, empty when absent; a problem goes to
   * `errors` as "field 'codec': ...") and returns the factory of that plugin's codecs.
   */
  abstract configure(options: JsonValue, settings: CodecSettings, errors: FieldErrors): CodecFactory | null;
}

/** A protocol whose codec takes no options and keeps no per-connection state: one codec per plugin. */
export abstract class StatelessProtocol extends Protocol {
  abstract createCodec(settings: CodecSettings): Codec;

  configure(options: JsonValue, settings: CodecSettings, errors: FieldErrors): CodecFactory | null {
    if (options.keys.length > 0) {
      errors.fail("field 'codec': the " + this.name() + " codec takes no options");
      return null;
    }
    return new SharedCodecFactory(this.createCodec(settings));
  }
}
