#!/usr/bin/env bash
# Set-up: installs what this project needs on a Debian machine with Rust (rustup) and
# Node.js 20 (run as root): a C toolchain, Chromium and chromedriver, the wasm32 target,
# wasm-pack, and the npm packages. Every step checks first, so a rerun is fast.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DEBIAN_FRONTEND=noninteractive
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

START=$SECONDS
step() { printf '\n==> [%4ss] %s\n' "$((SECONDS - START))" "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }
die() { echo "error: $*" >&2; exit 1; }

step "Tool versions"
have cargo || die "Rust (rustup, cargo) is not installed"
have node || die "Node.js (>= 20) is not installed"
have npm || die "npm is not installed"
echo "rustc $(rustc --version | cut -d' ' -f2), node $(node --version), npm $(npm --version)"

step "System packages (C toolchain for cargo builds, Chromium, chromedriver)"
pkgs=()
have cc || pkgs+=(build-essential)
have chromium || pkgs+=(chromium)
have chromedriver || pkgs+=(chromium-driver)
if ((${#pkgs[@]})); then
  echo "installing: ${pkgs[*]}"
  # Root installs directly (CI); a developer account goes through sudo.
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    have sudo || die "installing ${pkgs[*]} needs root: run this script as root or install sudo"
    sudo="sudo"
  fi
  $sudo apt-get update
  $sudo apt-get install -y "${pkgs[@]}"
else
  echo "already installed"
fi
chromium --version 2>/dev/null || true
chromedriver --version

step "Rust target wasm32-unknown-unknown"
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  echo "already installed"
else
  rustup target add wasm32-unknown-unknown
fi

step "wasm-pack"
if have wasm-pack; then
  echo "already installed"
else
  cargo install wasm-pack --locked
fi
wasm-pack --version

step "npm ci"
npm ci --no-audit --no-fund

# wasm-pack builds its own wasm-bindgen CLI (matching Cargo.lock) through cargo the first
# time it runs, which takes minutes: do it here, so `npm start`, `npm test` and
# `npm run bench` start from a warm toolchain.
step "wasm-bindgen CLI for wasm-pack (first build)"
wb_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
if ls -d "$HOME/.cache/.wasm-pack/wasm-bindgen-cargo-install-$wb_version" >/dev/null 2>&1; then
  echo "wasm-bindgen $wb_version already installed"
else
  npm run build
fi

step "Set-up done"
