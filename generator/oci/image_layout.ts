// A filter module as an OCI image, in an OCI image layout directory (oci-layout, index.json, blobs/sha256/), ready
// for `skopeo copy oci:DIR:TAG docker://REGISTRY/REPO:TAG` (or oras) and a WasmPlugin `url: oci://REGISTRY/REPO:TAG`.
//
// The image is the "compat" variant Istio's agent extracts (istio/istio pkg/wasm/imagefetcher.go,
// ImageFetcher.PrepareFetch then extractOCIStandardImage): an OCI manifest whose last layer has the media type
// application/vnd.oci.image.layer.v1.tar+gzip and holds a file named plugin.wasm. (The fetcher also takes Docker
// images of the same shape and the two-layer "oci" variant with an application/vnd.module.wasm.content.layer.v1+wasm
// layer; the compat variant is the one it tries first for OCI manifests and the one any registry and tool handles.)
// For an oci:// URL, the WasmPlugin's sha256 is the image manifest's digest (pkg/wasm/cache.go getOrFetch compares
// it with the digest PrepareFetch returns), not the module's.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { tar } from "./tar.ts";

export const MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json";
export const CONFIG_MEDIA_TYPE = "application/vnd.oci.image.config.v1+json";
export const LAYER_MEDIA_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip";
const INDEX_MEDIA_TYPE = "application/vnd.oci.image.index.v1+json";
/** The file name Istio's agent looks for in the layer. */
export const MODULE_FILE_NAME = "plugin.wasm";
const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
}

export interface WrittenImage {
  /** sha256:<hex> of the manifest: the image's digest, the WasmPlugin's sha256 (hex part). */
  readonly manifestDigest: string;
  readonly tag: string;
}

export class OciLayoutError extends Error {}

/** Writes `moduleFile` as the image `tag` into the layout directory `dir` (replacing an earlier layout there). */
export function writeModuleImage(moduleFile: string, dir: string, tag: string): WrittenImage {
  const module = readModule(moduleFile);
  if (!WASM_MAGIC.every((byte, i) => module[i] === byte)) throw new OciLayoutError(`${moduleFile} is not a WebAssembly module`);
  if (!/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(tag)) throw new OciLayoutError(`${tag} is not an image tag (letters, digits, _ . -, at most 128)`);
  prepareDirectory(dir);
  const blob = (mediaType: string, content: Uint8Array): Descriptor => {
    const hex = createHash("sha256").update(content).digest("hex");
    writeFileSync(join(dir, "blobs", "sha256", hex), content);
    return { mediaType, digest: `sha256:${hex}`, size: content.length };
  };
  const layerTar = tar([{ name: MODULE_FILE_NAME, content: module }]);
  const layer = blob(LAYER_MEDIA_TYPE, gzipSync(layerTar, { level: 9 }));
  // The platform of an image built FROM scratch on the usual build machine: the module itself runs anywhere, and
  // tools that list images expect a platform.
  const config = blob(CONFIG_MEDIA_TYPE, json({
    architecture: "amd64",
    os: "linux",
    rootfs: { type: "layers", diff_ids: [`sha256:${createHash("sha256").update(layerTar).digest("hex")}`] },
    config: {},
  }));
  const manifest = blob(MANIFEST_MEDIA_TYPE, json({ schemaVersion: 2, mediaType: MANIFEST_MEDIA_TYPE, config, layers: [layer] }));
  writeFileSync(join(dir, "oci-layout"), json({ imageLayoutVersion: "1.0.0" }));
  writeFileSync(
    join(dir, "index.json"),
    json({ schemaVersion: 2, mediaType: INDEX_MEDIA_TYPE, manifests: [{ ...manifest, annotations: { "org.opencontainers.image.ref.name": tag } }] }),
  );
  return { manifestDigest: manifest.digest, tag };
}

function readModule(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new OciLayoutError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/** An empty directory, or one holding an earlier layout (replaced); anything else is left alone and refused. */
function prepareDirectory(dir: string): void {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    if (!existsSync(join(dir, "oci-layout"))) throw new OciLayoutError(`${dir} exists and is not an OCI image layout: not overwriting it`);
    rmSync(dir, { recursive: true });
  }
  mkdirSync(join(dir, "blobs", "sha256"), { recursive: true });
}

function json(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}
