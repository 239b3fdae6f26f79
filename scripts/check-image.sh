#!/usr/bin/env bash
# Checks the sync-server container image written by the "image" Maven profile:
#   non-root user, an entrypoint that starts the Quarkus fast-jar, port 8080 exposed,
#   and the fast-jar layout in the layers.
#
#   mvn -B -pl sync-server -am package -Pimage -DskipTests
#   scripts/check-image.sh [IMAGE.tar] [EXPECTED_PORT]
#
# IMAGE.tar may be a docker-archive (docker save / Jib) or an OCI image-layout tar; default:
# sync-server/target/sync-server-oci.tar, else sync-server/target/sync-server-image.tar.
# Needs only tar-reading python3 (standard library). Exits 1 and says why on any failure.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
image="${1:-}"
if [[ -z "$image" ]]; then
  for candidate in "$root/sync-server/target/sync-server-oci.tar" "$root/sync-server/target/sync-server-image.tar"; do
    if [[ -f "$candidate" ]]; then image="$candidate"; break; fi
  done
fi
if [[ -z "$image" || ! -f "$image" ]]; then
  echo "check-image: no image tar found; build it with: mvn -B -pl sync-server -am package -Pimage -DskipTests" >&2
  exit 1
fi
port="${2:-8080}"

python3 - "$image" "$port" <<'PY'
import gzip, io, json, sys, tarfile

path, port = sys.argv[1], sys.argv[2]
failures = []

with tarfile.open(path) as archive:
    names = set(archive.getnames())
    read = lambda name: archive.extractfile(name).read()
    if "manifest.json" in names:                       # docker-archive
        entry = json.loads(read("manifest.json"))[0]
        fmt, tags = "docker-archive", entry.get("RepoTags") or []
        config = json.loads(read(entry["Config"]))
        layers = [read(name) for name in entry["Layers"]]
    elif "index.json" in names:                        # OCI image layout
        blob = lambda digest: read("blobs/" + digest.replace(":", "/"))
        index = json.loads(read("index.json"))
        descriptor = index["manifests"][0]
        fmt = "oci-layout"
        tags = [descriptor.get("annotations", {}).get("io.containerd.image.name", "")]
        manifest = json.loads(blob(descriptor["digest"]))
        config = json.loads(blob(manifest["config"]["digest"]))
        layers = [blob(layer["digest"]) for layer in manifest["layers"]]
    else:
        sys.exit(f"check-image: {path} is neither a docker-archive nor an OCI layout tar")

cfg = config.get("config", {})
user = str(cfg.get("User") or "")
entrypoint = cfg.get("Entrypoint") or []
cmd = cfg.get("Cmd") or []
env = dict(e.split("=", 1) for e in cfg.get("Env") or [])
ports = sorted((cfg.get("ExposedPorts") or {}).keys())

print(f"image:       {path} ({fmt}) {' '.join(t for t in tags if t)}")
print(f"platform:    {config.get('os')}/{config.get('architecture')}")
print(f"user:        {user or '(unset: root)'}")
print(f"entrypoint:  {entrypoint}  cmd: {cmd}")
print(f"ports:       {ports}")
print(f"workdir:     {cfg.get('WorkingDir')}")
print(f"layers:      {len(layers)}")

uid = user.split(":", 1)[0]
if uid in ("", "0", "root"):
    failures.append(f"the image runs as root (User={user!r}); expected a non-root user such as 185")
if not uid.isdigit():
    failures.append(f"User {user!r} is not numeric; Kubernetes runAsNonRoot can only verify numeric users")

command = entrypoint + cmd
starts_run_java = any(c.endswith("/run-java.sh") for c in entrypoint)
if starts_run_java:
    if not env.get("JAVA_APP_JAR", "").endswith("quarkus-run.jar"):
        failures.append(f"run-java.sh entrypoint without JAVA_APP_JAR=.../quarkus-run.jar (env: {env})")
elif not ("-jar" in command and any(c.endswith("quarkus-run.jar") for c in command)):
    failures.append(f"entrypoint does not start the fast-jar quarkus-run.jar: {command}")

if f"{port}/tcp" not in ports:
    failures.append(f"port {port}/tcp is not exposed (exposed: {ports})")

files = set()
for data in layers:
    raw = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    with tarfile.open(fileobj=io.BytesIO(raw)) as layer:
        files.update(n.lstrip("./").lstrip("/") for n in layer.getnames())
for needed in ("quarkus-run.jar", "lib/boot/", "lib/main/", "quarkus/quarkus-application.dat"):
    if not any(needed in f for f in files):
        failures.append(f"fast-jar layout: nothing matching {needed!r} in the layers")
jar = sorted(f for f in files if f.endswith("quarkus-run.jar"))
print(f"fast-jar:    {jar}")

if failures:
    print("\nFAILED:", *failures, sep="\n  - ")
    sys.exit(1)
print("\nOK: non-root user, fast-jar entrypoint, port", port, "exposed")
PY
