#!/bin/sh
# The renderer Lambda's contents, built into one folder: the code it runs (content/, speech/,
# skill/aws/) and the Python packages it imports (requirements.txt: Piper and its voice, the
# MP3 encoder, Pillow, boto3). The Dockerfile runs this into the image's task root; the tests
# run it with --code-only (the packages are the test's own) and call the handler from there.
#   sh deploy/renderer/install.sh TARGET [--code-only]
set -eu
target=${1:?usage: install.sh TARGET [--code-only]}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

mkdir -p "$target/skill"
cp -R "$root/content" "$root/speech" "$target/"
cp "$root/skill/__init__.py" "$target/skill/"
cp -R "$root/skill/aws" "$target/skill/"
find "$target" -name __pycache__ -type d -prune -exec rm -rf {} +

if [ "${2:-}" != "--code-only" ]; then
    python3 -m pip install --quiet --no-compile --target "$target" -r "$here/requirements.txt"
fi
