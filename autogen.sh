#!/bin/sh
# Regenerate configure, Makefile.in and the build-aux/ helpers.
set -e
cd "$(dirname "$0")"
if ! command -v autoreconf >/dev/null 2>&1; then
    echo "autogen.sh: autoreconf not found; install the Debian packages 'autoconf' and 'automake' (or run scripts/setup)" >&2
    exit 1
fi
autoreconf -fi
