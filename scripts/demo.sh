#!/bin/sh
# make demo: build the site from content/ into public/.
set -eu
cd "$(dirname "$0")/.."
bin/sitegen build
echo "demo: the site is in public/ (open public/index.html, or serve the folder)"
