#!/usr/bin/env bash
# Stands in for the docker CLI while Quarkus' Jib extension builds the sync-server image
# (mvn -B -pl sync-server -am package -Pimage -DskipTests). No Docker daemon exists on the
# build machines, and the extension can only push to a registry or "docker load" the image;
# this script answers "docker load" by saving the image instead:
#
#   $CONVERGE_IMAGE_TAR      the image as Jib streams it: a docker-archive tar
#                            (docker load / podman load / skopeo copy docker-archive:...)
#   $CONVERGE_IMAGE_OCI_TAR  optional: the same image as an OCI image-layout tar
#                            (skopeo copy oci-archive:..., crane push, docker load >= 25)
#
# The sync-server/pom.xml "image" profile sets both through quarkus.jib.docker-environment.
set -euo pipefail

case "${1:-}" in
  load)
    out="${CONVERGE_IMAGE_TAR:?CONVERGE_IMAGE_TAR is not set (see the image profile in sync-server/pom.xml)}"
    mkdir -p "$(dirname "$out")"
    cat > "$out.part"
    mv "$out.part" "$out"
    if [[ -n "${CONVERGE_IMAGE_OCI_TAR:-}" ]]; then
      python3 - "$out" "$CONVERGE_IMAGE_OCI_TAR" <<'PY'
"""Rewrites a docker-archive tar (manifest.json + config + layers) as an OCI image layout tar."""
import hashlib, io, json, sys, tarfile

src, dst = sys.argv[1], sys.argv[2]
with tarfile.open(src) as archive:
    read = lambda name: archive.extractfile(name).read()
    entry = json.loads(read("manifest.json"))[0]
    config = read(entry["Config"])
    layers = [read(name) for name in entry["Layers"]]

blobs = {}
def blob(data, media_type):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    blobs[digest] = data
    return {"mediaType": media_type, "digest": digest, "size": len(data)}

gzip_magic = b"\x1f\x8b"
manifest = {
    "schemaVersion": 2,
    "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": blob(config, "application/vnd.oci.image.config.v1+json"),
    "layers": [
        blob(layer, "application/vnd.oci.image.layer.v1.tar+gzip"
             if layer[:2] == gzip_magic else "application/vnd.oci.image.layer.v1.tar")
        for layer in layers
    ],
}
descriptor = blob(json.dumps(manifest, separators=(",", ":")).encode(),
                  "application/vnd.oci.image.manifest.v1+json")
repo_tag = (entry.get("RepoTags") or [""])[0]
descriptor["annotations"] = {
    "io.containerd.image.name": repo_tag,
    "org.opencontainers.image.ref.name": repo_tag.rsplit(":", 1)[-1] if ":" in repo_tag else "latest",
}
index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
         "manifests": [descriptor]}

def add(out, name, data):
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o644, 0
    out.addfile(info, io.BytesIO(data))

with tarfile.open(dst + ".part", "w", format=tarfile.PAX_FORMAT) as out:
    add(out, "oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
    add(out, "index.json", json.dumps(index, indent=2).encode())
    for digest in sorted(blobs):
        add(out, "blobs/sha256/" + digest.split(":", 1)[1], blobs[digest])
import os
os.replace(dst + ".part", dst)
PY
      echo "Loaded image: saved as $out and $CONVERGE_IMAGE_OCI_TAR"
    else
      echo "Loaded image: saved as $out"
    fi
    ;;
  info)
    # Jib asks the daemon for its platform; answer for this machine.
    arch="$(uname -m)"
    printf '{"OSType":"linux","Architecture":"%s"}\n' "$arch"
    ;;
  version | --version)
    echo "jib-save-tar.sh: saves images to tar files; no Docker daemon"
    ;;
  *)
    echo "jib-save-tar.sh: no Docker daemon here; only 'load' (save to tar) is supported, got: $*" >&2
    exit 1
    ;;
esac
