#!/bin/sh
# DOM tests (tests/web.rs, wasm-bindgen-test) in headless Chromium.
# wasm-pack must not try to download a chromedriver (no internet in CI): point it
# at the system one (Debian: chromium-driver, which finds /usr/bin/chromium).
# wasm-bindgen-test-runner adds --headless --no-sandbox --disable-dev-shm-usage
# itself; extra capabilities can go in ./webdriver.json if ever needed.
set -eu
if [ -z "${CHROMEDRIVER:-}" ]; then
  CHROMEDRIVER=$(command -v chromedriver || true)
fi
if [ -z "$CHROMEDRIVER" ]; then
  echo "test-wasm: chromedriver not found; install it (Debian: apt-get install chromium chromium-driver) or set CHROMEDRIVER" >&2
  exit 1
fi
export CHROMEDRIVER
exec wasm-pack test --headless --chrome "$@"
