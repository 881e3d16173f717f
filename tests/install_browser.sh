#!/usr/bin/env bash
# The browser tier's system packages: Debian's Chromium (Playwright cannot download its own
# browser on these machines) and a CJK font, so that screenshots show the Chinese text.
set -euo pipefail
if command -v chromium > /dev/null && command -v fc-list > /dev/null && fc-list :lang=zh | grep -q .; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo apt-get update -qq
$sudo apt-get install -y -qq chromium fonts-wqy-microhei > /dev/null
