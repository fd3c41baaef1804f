#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked, throwaway gnome-keyring,
# so keyring's Secret Service backend works exactly as on a desktop. The keyring files live
# in a temporary directory removed on exit; the user's own keychain is never touched.
set -euo pipefail
if [ "${DEEL_INTAKE_IN_KEYCHAIN_SESSION:-}" != 1 ]; then
  if ! command -v dbus-run-session >/dev/null || ! command -v gnome-keyring-daemon >/dev/null; then
    echo "with-keychain: dbus-run-session or gnome-keyring-daemon missing; keychain tests will be skipped" >&2
    exec "$@"
  fi
  export DEEL_INTAKE_IN_KEYCHAIN_SESSION=1
  exec dbus-run-session -- bash "$0" "$@"
fi
keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
# --unlock reads the new keyring's password from stdin; without it writes fail with "Prompt dismissed".
printf 'throwaway' | XDG_DATA_HOME="$keyring_home" HOME="$keyring_home" \
  gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null
export DEEL_INTAKE_KEYCHAIN_TESTS=1
"$@"
