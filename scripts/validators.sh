#!/usr/bin/env bash
# Installs the outside validators Wharf is checked against, from PyPI, into
# virtual environments under target/ (nothing is installed system-wide):
#
#   target/validators/     botocore, cfn-lint, PyYAML  (used by `scripts/test`)
#   target/deploy-venv/    moto[server], awscli, PyYAML (with --deploy; awscli
#                          pins its own botocore, hence a second environment)
#
# Versions are pinned: results depend on the AWS schemas these packages ship.
# Idempotent: a stamp file records what was installed, so a second run costs
# nothing. Needs python3 with the venv module (Debian: python3-venv).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)

install_venv() { # dir, packages...
    local dir=$1; shift
    local want="$*"
    if [ -f "$dir/.wharf-stamp" ] && [ "$(cat "$dir/.wharf-stamp")" = "$want" ]; then
        return 0
    fi
    echo "validators: installing $want into ${dir#"$ROOT"/}" >&2
    rm -rf "$dir"
    python3 -m venv "$dir"
    "$dir/bin/pip" install --quiet --disable-pip-version-check "$@"
    printf '%s' "$want" >"$dir/.wharf-stamp"
}

install_venv "$ROOT/target/validators" botocore==1.44.5 cfn-lint==1.58.0 PyYAML==6.0.3
if [ "${1:-}" = "--deploy" ]; then
    install_venv "$ROOT/target/deploy-venv" "moto[server]==5.2.1" awscli==1.45.11 PyYAML==6.0.3
fi
