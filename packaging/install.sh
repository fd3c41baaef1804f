#!/bin/sh
# Installs deel-intake for the current user: the app in ~/.local/opt/deel-intake, a
# command in ~/.local/bin, and a menu entry with its icon. Run it from the unpacked archive.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
prefix=${PREFIX:-$HOME/.local}
rm -rf "$prefix/opt/deel-intake"
mkdir -p "$prefix/opt" "$prefix/bin" "$prefix/share/applications" "$prefix/share/icons/hicolor/256x256/apps"
cp -R "$here/deel-intake" "$prefix/opt/deel-intake"
ln -sf "$prefix/opt/deel-intake/deel-intake" "$prefix/bin/deel-intake"
cp "$here/deel-intake.png" "$prefix/share/icons/hicolor/256x256/apps/deel-intake.png"
sed "s|^Exec=.*|Exec=$prefix/opt/deel-intake/deel-intake|" "$here/deel-intake.desktop" \
  > "$prefix/share/applications/deel-intake.desktop"
echo "Installed. Start it from the menu (Deel Intake) or run: deel-intake"
echo "Check this computer with: deel-intake --self-check"
