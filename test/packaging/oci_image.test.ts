// `make oci` writes each module as an OCI image that a real OCI tool (Debian's skopeo, as a registry client would)
// reads, in the shape Istio's agent extracts a module from (istio/istio pkg/wasm/imagefetcher.go: an OCI manifest,
// not Docker's; its last layer application/vnd.oci.image.layer.v1.tar+gzip; a file named plugin.wasm in it), and
// whose module comes back byte for byte. Needs `make build` and skopeo (SYSTEM_PACKAGES).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import { builtInProtocols } from "../../generator/modules.ts";

const VERSION = JSON.parse(readFileSync("package.json", "utf8")).version;

/** The regular files of a tar archive, by name. */
function untar(archive: Uint8Array): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const text = (from: number, length: number) => new TextDecoder().decode(archive.subarray(from, from + length)).replace(/\0.*$/s, "");
  for (let offset = 0; offset + 512 <= archive.length && archive[offset] !== 0; ) {
    const size = parseInt(text(offset + 124, 12), 8);
    if (text(offset + 156, 1) === "0") files.set(text(offset, 100), archive.subarray(offset + 512, offset + 512 + size));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

function skopeo(...args: string[]): string {
  return execFileSync("skopeo", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

describe("make oci: an OCI image layout per module", () => {
  const digests = new Map<string, string>();
  const dir = mkdtempSync(join(tmpdir(), "oci-image-"));

  before(() => {
    // `make oci` builds first (printing the modules' sizes), then prints one "DIR:TAG DIGEST" line per image.
    for (const line of execFileSync("make", ["-s", "oci"], { encoding: "utf8" }).split("\n").filter((l) => l.startsWith("build/oci/"))) {
      const [reference, digest] = line.split(" ");
      digests.set(reference, digest);
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("one image per built module, tagged with the package version", () => {
    assert.deepEqual([...digests.keys()], builtInProtocols().map((protocol) => `build/oci/${protocol}:${VERSION}`));
  });

  for (const protocol of builtInProtocols()) {
    const reference = () => `oci:build/oci/${protocol}:${VERSION}`;

    it(`${protocol}: skopeo inspect reads it, with the digest make oci printed`, () => {
      const inspected = JSON.parse(skopeo("inspect", reference()));
      assert.equal(inspected.Digest, digests.get(`build/oci/${protocol}:${VERSION}`));
      assert.equal(inspected.Layers.length, 1);
    });

    it(`${protocol}: the compat variant Istio's agent extracts (OCI manifest, tar+gzip last layer with plugin.wasm)`, () => {
      const manifest = JSON.parse(skopeo("inspect", "--raw", reference()));
      assert.equal(manifest.mediaType, "application/vnd.oci.image.manifest.v1+json");
      assert.equal(manifest.layers.at(-1).mediaType, "application/vnd.oci.image.layer.v1.tar+gzip");
    });

    it(`${protocol}: skopeo copy keeps the digest and gives back the module byte for byte`, () => {
      const copy = join(dir, protocol);
      skopeo("copy", "--quiet", "--preserve-digests", reference(), `dir:${copy}`);
      const manifestBytes = readFileSync(join(copy, "manifest.json"));
      assert.equal(`sha256:${createHash("sha256").update(manifestBytes).digest("hex")}`, digests.get(`build/oci/${protocol}:${VERSION}`));
      const manifest = JSON.parse(manifestBytes.toString("utf8"));
      const layer = readFileSync(join(copy, manifest.layers.at(-1).digest.replace("sha256:", "")));
      const files = untar(gunzipSync(layer));
      const module = [...files].find(([name]) => basename(name) === "plugin.wasm")?.[1];
      assert.ok(module !== undefined, `no plugin.wasm in ${[...files.keys()]}`);
      assert.ok(Buffer.from(module).equals(readFileSync(`build/${protocol}.wasm`)), "the module differs");
    });
  }

  it("the same module gives the same image digest (a WasmPlugin's sha256 stays valid)", () => {
    const again = execFileSync(process.execPath, ["generator/bin/meta-protocol-wasm.js", "oci-image", "-f", "build/dubbo.wasm", "-o", join(dir, "again"), "--tag", VERSION], { encoding: "utf8" });
    assert.equal(again, `${join(dir, "again")}:${VERSION} ${digests.get(`build/oci/dubbo:${VERSION}`)}\n`);
  });

  it("refuses a file that is not a module, and a directory that is not a layout", () => {
    const run = (...args: string[]) => {
      try {
        execFileSync(process.execPath, ["generator/bin/meta-protocol-wasm.js", "oci-image", ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
        return "exit 0";
      } catch (error) {
        const { status, stderr } = error as { status: number; stderr: string };
        return `exit ${status}: ${stderr.split("\n")[0]}`;
      }
    };
    assert.equal(run("-f", "package.json", "-o", join(dir, "x")), "exit 2: meta-protocol-wasm: package.json is not a WebAssembly module");
    assert.equal(run("-f", "build/dubbo.wasm", "-o", "generator"), "exit 2: meta-protocol-wasm: generator exists and is not an OCI image layout: not overwriting it");
  });
});
