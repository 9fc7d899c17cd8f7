#!/usr/bin/env bash
# Run the README's two commands as a newcomer would: a clean clone of HEAD,
# a new virtualenv, and a PATH without ffmpeg, ffprobe or chromium.
#
#   scripts/fresh_machine_check.sh            # make demo (smoke) + make test
#   scripts/fresh_machine_check.sh demo       # only the demo part
#
# The demo part starts `make demo`, waits for the web UI to answer /healthz,
# stops it, then runs `soulsync demo --smoke`, which must end {"ok": true, ...}.
# `make test` may install Chromium (scripts/ensure_browser.py) when it is
# missing; a Chromium outside PATH (e.g. /usr/bin/chromium) is still used.
set -euo pipefail
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
work=$(mktemp -d /tmp/soulsync-fresh-XXXXXX)
trap 'kill "${demo_pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

# A PATH with every program but the system tools a fresh machine lacks.
mkdir -p "$work/bin"
IFS=: read -r -a dirs <<< "$PATH"
for dir in "${dirs[@]}"; do
  [ -d "$dir" ] || continue
  for prog in "$dir"/*; do
    name=$(basename "$prog")
    case "$name" in ffmpeg|ffprobe|chromium|chromium-browser) continue ;; esac
    [ -x "$prog" ] && [ ! -e "$work/bin/$name" ] && ln -s "$prog" "$work/bin/$name"
  done
done
export PATH="$work/bin"
for tool in ffmpeg ffprobe chromium; do
  if command -v "$tool" >/dev/null; then echo "error: $tool still on PATH" >&2; exit 1; fi
done

git clone --quiet "$repo" "$work/clone"
cd "$work/clone"
export HOME="$work/home" SOULSYNC_SANDBOX_CACHE="$work/cache"
mkdir -p "$HOME"

echo "== make demo (started, then stopped once the web UI answers)"
make demo > "$work/demo.log" 2>&1 &
demo_pid=$!
for _ in $(seq 1 600); do
  url=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$work/demo.log" | head -n 1 || true)
  if [ -n "$url" ] && python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1] + '/healthz', timeout=2)" "$url" 2>/dev/null; then
    echo "demo answered at $url"
    break
  fi
  if ! kill -0 "$demo_pid" 2>/dev/null; then cat "$work/demo.log"; echo "error: make demo exited" >&2; exit 1; fi
  sleep 1
done
[ -n "${url:-}" ] || { cat "$work/demo.log"; echo "error: make demo never answered" >&2; exit 1; }
pkill -P "$demo_pid" 2>/dev/null || true
kill "$demo_pid" 2>/dev/null || true
wait "$demo_pid" 2>/dev/null || true

echo "== soulsync demo --smoke"
smoke=$(.venv/bin/soulsync demo --smoke --dir "$work/smoke" | tail -n 1)
echo "$smoke"
python3 -c 'import json,sys; sys.exit(0 if json.loads(sys.argv[1])["ok"] else 1)' "$smoke"

if [ "${1:-all}" = "demo" ]; then exit 0; fi
echo "== make test"
make test
