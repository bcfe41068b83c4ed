// Just enough of the protobuf wire format to read the two messages modules send Envoy serialized (GrpcService for
// proxy_grpc_call, SetEnvoyFilterStateArguments for set_envoy_filter_state), with ParseFromString's verdicts:
// malformed input fails, unknown fields are skipped, a string field must be valid UTF-8 (proto3).

export type FieldValue = { readonly wire: "varint"; readonly value: bigint } | { readonly wire: "bytes"; readonly value: Uint8Array };

/** Every field of a message in order (fixed-width fields are skipped); undefined when the bytes are not a message. */
export function readFields(data: Uint8Array): { field: number; value: FieldValue }[] | undefined {
  const fields: { field: number; value: FieldValue }[] = [];
  let offset = 0;
  const varint = (): bigint | undefined => {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (offset >= data.length) return undefined;
      const b = data[offset++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
    }
    return undefined;
  };
  while (offset < data.length) {
    const key = varint();
    if (key === undefined || key >> 3n === 0n) return undefined;
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      const value = varint();
      if (value === undefined) return undefined;
      fields.push({ field, value: { wire: "varint", value } });
    } else if (wire === 2) {
      const length = varint();
      if (length === undefined || offset + Number(length) > data.length) return undefined;
      fields.push({ field, value: { wire: "bytes", value: data.subarray(offset, offset + Number(length)) } });
      offset += Number(length);
    } else if (wire === 1 || wire === 5) {
      offset += wire === 1 ? 8 : 4;
      if (offset > data.length) return undefined;
    } else {
      return undefined; // groups and invalid wire types
    }
  }
  return fields;
}

/** The last occurrence of a length-delimited field, as protobuf keeps it. */
export function lastBytes(fields: readonly { field: number; value: FieldValue }[], field: number): Uint8Array | undefined {
  const found = fields.filter((f) => f.field === field && f.value.wire === "bytes").at(-1);
  return found?.value.value as Uint8Array | undefined;
}

export function lastVarint(fields: readonly { field: number; value: FieldValue }[], field: number): bigint | undefined {
  const found = fields.filter((f) => f.field === field && f.value.wire === "varint").at(-1);
  return found?.value.value as bigint | undefined;
}

/** A proto3 string field: undefined when the bytes are not UTF-8 (which fails the whole parse). */
export function utf8String(bytes: Uint8Array | undefined): string | undefined {
  if (bytes === undefined) return "";
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
