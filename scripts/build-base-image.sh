#!/usr/bin/env bash
# Builds a Debian + OpenJDK 17 JRE base image for the sync-server image WITHOUT a container
# registry and WITHOUT Docker, for machines that cannot pull
# registry.access.redhat.com/ubi9/openjdk-17-runtime (the image profile's default base):
#
#   scripts/build-base-image.sh [OUT.tar]        # as root (debootstrap + chroot)
#   mvn -B -pl sync-server -am package -Pimage -DskipTests \
#       -Dquarkus.jib.base-jvm-image=tar://$PWD/sync-server/target/base-image/debian-jre17.tar
#   scripts/check-image.sh
#
# What it does:
#   1. debootstrap --variant=minbase --include=openjdk-17-jre-headless,ca-certificates <suite>
#      from the Debian mirror configured in /etc/apt/sources.list(.d) (installs debootstrap
#      with apt-get if missing);
#   2. adds the runtime user 185 (group 0, home /home/jboss, like the UBI OpenJDK images) and
#      trims docs, man pages, locales, apt caches and logs;
#   3. packs the root filesystem as a docker-archive tar (manifest.json, config JSON with
#      Env PATH / JAVA_HOME / LANG, one uncompressed layer), which Jib reads via tar://.
#
# The tar is written to OUT.tar, default sync-server/target/base-image/debian-jre17.tar.
# Environment: SUITE (default bookworm), DEBIAN_MIRROR (default: taken from the apt sources),
# KEEP_ROOTFS=1 to keep the unpacked root filesystem next to the tar (…/rootfs).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/sync-server/target/base-image/debian-jre17.tar}"
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
suite="${SUITE:-bookworm}"
work="$(dirname "$out")"
rootfs="$work/rootfs"

if [[ "$(id -u)" != 0 ]]; then
  echo "build-base-image: debootstrap needs root (run with sudo)" >&2
  exit 1
fi

# --- the Debian mirror: the first apt source that serves "$suite" with component main ---
find_mirror() {
  local f
  # one-line format: deb [options] URI SUITE COMPONENT...
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f "$f" ]] || continue
    awk -v s="$suite" '
      $1 == "deb" {
        i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
        if ($(i + 1) == s) { for (j = i + 2; j <= NF; j++) if ($j == "main") { print $i; exit } }
      }' "$f"
  done
  # deb822 format: stanzas with Types/URIs/Suites/Components
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f "$f" ]] || continue
    awk -v s="$suite" '
      function flush() {
        if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " s " ") && (" " comps " ") ~ / main /) {
          split(uris, u, " "); print u[1]; found = 1
        }
        types = uris = suites = comps = ""
      }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); if (found) exit; next }
      { key = tolower($1); sub(/^[^:]*:[ \t]*/, "") }
      key == "types:" { types = $0 } key == "uris:" { uris = $0 }
      key == "suites:" { suites = $0 } key == "components:" { comps = $0 }
      END { if (!found) flush() }' "$f"
  done
}
mirror="${DEBIAN_MIRROR:-$(find_mirror | head -n 1)}"
if [[ -z "$mirror" ]]; then
  echo "build-base-image: no apt source for '$suite main' in /etc/apt/sources.list(.d); set DEBIAN_MIRROR" >&2
  exit 1
fi
echo "build-base-image: suite $suite from $mirror"

if ! command -v debootstrap >/dev/null; then
  echo "build-base-image: installing debootstrap"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends debootstrap \
    || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends debootstrap; }
fi

# debootstrap mounts /proc and /sys inside the target; make sure nothing stays mounted
cleanup_mounts() {
  local m
  for m in $(awk -v r="$rootfs/" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
}
trap cleanup_mounts EXIT

cleanup_mounts
rm -rf "$rootfs"
mkdir -p "$rootfs"

debootstrap --variant=minbase --include=openjdk-17-jre-headless,ca-certificates \
  "$suite" "$rootfs" "$mirror"
cleanup_mounts

# /usr/bin/java is an absolute alternatives link, so look for the JRE inside the rootfs
java_home=""
for candidate in "$rootfs"/usr/lib/jvm/java-17-openjdk-*; do
  [[ -x "$candidate/bin/java" ]] && java_home="${candidate#"$rootfs"}" && break
done
if [[ -z "$java_home" ]]; then
  echo "build-base-image: no JRE under $rootfs/usr/lib/jvm" >&2
  exit 1
fi
echo "build-base-image: JAVA_HOME=$java_home"
# the launcher finds libjli.so through $ORIGIN, i.e. /proc/self/exe: needs /proc (as in a container)
mount -t proc proc "$rootfs/proc"
chroot "$rootfs" "$java_home/bin/java" -version
umount "$rootfs/proc"

# --- runtime user: uid 185, group 0 (OpenShift-style), home /home/jboss like the UBI images ---
chroot "$rootfs" useradd --system --uid 185 --gid 0 --home-dir /home/jboss --create-home \
  --shell /usr/sbin/nologin --comment "Converge sync server" jboss
chmod 0775 "$rootfs/home/jboss"

# --- trim: docs (keeping the copyright files), man/info pages, locales, apt caches, logs ---
find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$rootfs"/usr/share/{man,info,groff,lintian,linda}/* "$rootfs"/usr/share/locale/*
rm -rf "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/debconf/*-old \
  "$rootfs"/var/lib/dpkg/*-old "$rootfs"/var/cache/ldconfig/aux-cache
find "$rootfs/var/log" -type f -delete
rm -rf "$rootfs"/tmp/* "$rootfs"/var/tmp/* "$rootfs"/root/.cache
rm -f "$rootfs/etc/machine-id" "$rootfs/etc/hostname"
: > "$rootfs/etc/resolv.conf"

# --- pack as a docker-archive: manifest.json + config + one layer tar ---
arch="$(chroot "$rootfs" dpkg --print-architecture)"
case "$arch" in ppc64el) arch=ppc64le ;; i386) arch=386 ;; armhf | armel) arch=arm ;; esac
layer="$work/layer.tar"
# numeric owners (uid 185 stays 185), sorted, no atime/ctime, mtimes clamped to 2000-01-01
tar --create --file "$layer" --directory "$rootfs" --numeric-owner --sort=name \
  --xattrs --xattrs-include='security.capability' --format=posix \
  --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
  --mtime='2000-01-01 00:00:00Z' --clamp-mtime .

python3 - "$layer" "$out" "$arch" "$java_home" "$suite" <<'PY'
"""Wraps one layer tar into a docker-archive (the format `docker save` writes)."""
import hashlib, io, json, os, sys, tarfile

layer_path, out, arch, java_home, suite = sys.argv[1:]
sha = hashlib.sha256()
with open(layer_path, "rb") as f:
    for chunk in iter(lambda: f.read(1 << 20), b""):
        sha.update(chunk)
diff_id = "sha256:" + sha.hexdigest()

config = {
    "architecture": arch,
    "os": "linux",
    "created": "2000-01-01T00:00:00Z",
    "config": {
        "Env": [
            "PATH=" + java_home + "/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "JAVA_HOME=" + java_home,
            "LANG=C.UTF-8",
        ],
        "User": "185",
        "WorkingDir": "/home/jboss",
        "Cmd": ["java", "-version"],
        "Labels": {"org.opencontainers.image.description":
                   f"Debian {suite} minbase + openjdk-17-jre-headless (scripts/build-base-image.sh)"},
    },
    "rootfs": {"type": "layers", "diff_ids": [diff_id]},
    "history": [{"created": "2000-01-01T00:00:00Z",
                 "created_by": f"debootstrap --variant=minbase --include=openjdk-17-jre-headless,ca-certificates {suite}"}],
}
config_bytes = json.dumps(config, separators=(",", ":")).encode()
config_name = hashlib.sha256(config_bytes).hexdigest() + ".json"
layer_name = diff_id.split(":", 1)[1] + "/layer.tar"
manifest = [{"Config": config_name, "RepoTags": ["converge/debian-jre17:" + suite],
             "Layers": [layer_name]}]

def add(archive, name, data):
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o644, 0
    archive.addfile(info, io.BytesIO(data))

os.makedirs(os.path.dirname(out), exist_ok=True)
with tarfile.open(out + ".part", "w", format=tarfile.PAX_FORMAT) as archive:
    add(archive, "manifest.json", json.dumps(manifest).encode())
    add(archive, config_name, config_bytes)
    archive.add(layer_path, arcname=layer_name, recursive=False,
                filter=lambda i: (setattr(i, "mtime", 0), setattr(i, "mode", 0o644), i)[-1])
os.replace(out + ".part", out)
print(f"build-base-image: wrote {out} ({os.path.getsize(out) // (1 << 20)} MiB, {arch}, layer {diff_id[:19]}…)")
PY
rm -f "$layer"
if [[ "${KEEP_ROOTFS:-0}" != 1 ]]; then rm -rf "$rootfs"; fi
