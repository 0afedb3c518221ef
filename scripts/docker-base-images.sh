#!/usr/bin/env bash
# Builds the offline base images berth's Docker tests run on, only when they are missing or stale.
# No registry is reachable here, so images are assembled from the host's own binaries and `docker import`ed:
#   berth-test/node:20  the host's node binary (at the same absolute path as on the host) and the libraries `ldd`
#                       lists, plus /bin/sh (dash) so exec-form and CMD-SHELL healthchecks / `berth exec` work.
# Idempotent: a second run only inspects the image (well under a second). Needs a running dockerd (CI starts it first).
# Usage: scripts/docker-base-images.sh [--force]
set -euo pipefail

IMAGE=berth-test/node:20
FORCE=${1:-}

command -v docker >/dev/null || { echo "docker-base-images: the docker CLI is not installed" >&2; exit 1; }
docker info >/dev/null 2>&1 || {
  echo "docker-base-images: cannot reach the Docker daemon (${DOCKER_HOST:-unix:///var/run/docker.sock});" \
    "start it with 'dockerd --storage-driver=vfs &' or 'systemctl start docker'" >&2
  exit 1
}

NODE=$(node -p process.execPath)
NODE_VERSION=$(node --version)
SH=$(readlink -f /bin/sh)

if [[ "$FORCE" != "--force" ]] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  have=$(docker image inspect -f '{{index .Config.Labels "dev.berth.node-version"}}' "$IMAGE")
  if [[ "$have" == "$NODE_VERSION" ]]; then
    echo "docker-base-images: $IMAGE is present (node $have at $NODE), nothing to do"
    exit 0
  fi
  echo "docker-base-images: $IMAGE has node ${have:-unknown}, the host has $NODE_VERSION: rebuilding"
fi

root=$(mktemp -d /tmp/berth-node-image.XXXXXX)
trap 'rm -rf "$root"' EXIT

copy() { # copies a file to the same absolute path under $root, following symlinks
  mkdir -p "$root$(dirname "$1")"
  cp -L "$1" "$root$1"
}
libraries() { ldd "$1" | awk '/=> \//{print $3} /^[ \t]*\/[^ ]+/{print $1}'; }

copy "$NODE"
copy "$SH"
for lib in $(libraries "$NODE") $(libraries "$SH"); do copy "$lib"; done
mkdir -p "$root/bin" "$root/tmp" "$root/etc"
chmod 1777 "$root/tmp"
[[ -e "$root/bin/sh" ]] || ln -s "$SH" "$root/bin/sh"
echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
echo 'nobody:x:65534:65534:nobody:/nonexistent:/bin/sh' >>"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"

old=$(docker image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null || true)
started=$(date +%s)
tar -C "$root" -c . | docker import \
  --change "ENV PATH=$(dirname "$NODE"):/usr/local/bin:/usr/bin:/bin" \
  --change "LABEL dev.berth.node=$NODE" \
  --change "LABEL dev.berth.node-version=$NODE_VERSION" \
  --change "CMD [\"$NODE\"]" \
  - "$IMAGE" >/dev/null
# The replaced image is left untagged; drop it unless a container still uses it.
if [[ -n "$old" && "$old" != "$(docker image inspect -f '{{.Id}}' "$IMAGE")" ]]; then
  docker image rm "$old" >/dev/null 2>&1 || true
fi
echo "docker-base-images: built $IMAGE (node $NODE_VERSION at $NODE, $(du -sh "$root" | cut -f1)) in $(( $(date +%s) - started )) s"
