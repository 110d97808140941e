#!/usr/bin/env bash
# Deploy test for the CloudFormation backend. Starts moto in server mode on
# 127.0.0.1 (a free port), creates the stacks of the Wharf programs below with
# the AWS CLI, then checks with `aws ecs describe-services`,
# `describe-task-definition` and `elbv2 describe-target-groups` that the
# declared objects exist with the declared values. The server is always
# stopped (trap). Needs: python3 with moto[server] and PyYAML, awscli, cargo.
#
# Programs: every examples/*.wharf when `wharf build` exists, else the
# hand-built test programs (tests/cfn_common); WHARF_DEPLOY_SPLIT=1 adds a
# program split into joined stacks. moto 5.x lacks a few resource
# types (capacity providers, Cloud Map, application auto scaling) and treats
# every load balancer as an ALB; scripts/moto_stack.py removes exactly those
# resources and prints each removal, and programs with a network load balancer
# are skipped with a message.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
HELPER="$ROOT/scripts/moto_stack.py"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/wharf-deploy.XXXXXX")
MOTO_PID=""

cleanup() {
    if [ -n "$MOTO_PID" ]; then
        kill "$MOTO_PID" 2>/dev/null || true
        wait "$MOTO_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN=testing
export AWS_DEFAULT_REGION=us-east-1 AWS_PAGER="" AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE

for tool in moto_server aws python3 cargo; do
    command -v "$tool" >/dev/null || { echo "deploy_test: $tool not found" >&2; exit 2; }
done

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
ENDPOINT="http://127.0.0.1:$PORT"
moto_server -H 127.0.0.1 -p "$PORT" >"$WORK/moto.log" 2>&1 &
MOTO_PID=$!
for _ in $(seq 1 50); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 0.2)" 2>/dev/null && break
    sleep 0.2
done
echo "moto server pid $MOTO_PID on $ENDPOINT"
awsm() { aws --endpoint-url "$ENDPOINT" "$@"; }

# ---- templates ------------------------------------------------------------
TEMPLATES="$WORK/templates"
mkdir -p "$TEMPLATES"
cd "$ROOT"
if [ -n "${WHARF_BIN:-}" ]; then
    WHARF=$WHARF_BIN
else
    cargo build --quiet --manifest-path "$ROOT/Cargo.toml"
    WHARF="$ROOT/target/debug/wharf"
fi
if ls examples/*.wharf >/dev/null 2>&1 && "$WHARF" build --help 2>/dev/null | grep -q -- --target; then
    for src in examples/*.wharf; do
        name=$(basename "$src" .wharf)
        mkdir -p "$TEMPLATES/$name"
        if ! "$WHARF" --color never build "$src" --target cloudformation --format json \
            --out "$TEMPLATES/$name" >"$WORK/build-$name.log" 2>&1; then
            echo "build failed for $src:" >&2
            cat "$WORK/build-$name.log" >&2
            exit 1
        fi
    done
else
    echo "no examples/wharf build yet: using the hand-built test programs"
    WHARF_CFN_OUT="$WORK/lint" cargo test --quiet --test cfn_lint >/dev/null 2>&1
    for d in "$WORK"/lint/json/programs/*/; do
        name=$(basename "$d")
        # the 300-service program takes minutes to create; fleet-split covers splitting
        [ "$name" = fleet ] && continue
        cp -r "$d" "$TEMPLATES/$name"
    done
fi

# WHARF_DEPLOY_SPLIT=1 also deploys a 50-service program that is split into
# joined stacks (shared, two stacks of services, links), in deploy-order.txt
# order.
if [ "${WHARF_DEPLOY_SPLIT:-0}" = 1 ] && [ ! -d "$TEMPLATES/fleet-split" ]; then
    WHARF_CFN_OUT="$WORK/lint" cargo test --quiet --test cfn_lint >/dev/null 2>&1
    cp -r "$WORK/lint/json/programs/fleet-split" "$TEMPLATES/fleet-split"
fi

# A certificate for the HTTPS listeners, made again in each fresh account.
new_certificate() {
    awsm acm request-certificate --domain-name wharf.example.com \
        --query CertificateArn --output text
}

# ---- deploy and check -----------------------------------------------------
deployed=0
failed=0
skipped=0

# deploy_stack NAME TEMPLATE: adapt for moto, create, wait, check.
deploy_stack() {
    local name=$1 template=$2 stack=$3
    python3 "$HELPER" adapt "$template" "$WORK/$stack.moto.json" "$CERT"
    python3 "$HELPER" params "$template" "$ENDPOINT" "$WORK/$stack.params.json"
    if ! awsm cloudformation create-stack --stack-name "$stack" \
        --template-body "file://$WORK/$stack.moto.json" \
        --parameters "file://$WORK/$stack.params.json" \
        --capabilities CAPABILITY_IAM >/dev/null; then
        echo "FAIL $name: create-stack $stack"
        return 1
    fi
    local status
    status=$(awsm cloudformation describe-stacks --stack-name "$stack" \
        --query 'Stacks[0].StackStatus' --output text)
    if [ "$status" != CREATE_COMPLETE ]; then
        echo "FAIL $name: stack $stack status $status"
        return 1
    fi
    python3 "$HELPER" check "$template" "$ENDPOINT" "$stack"
}

for dir in "$TEMPLATES"/*/; do
    name=$(basename "$dir")
    # Each program is deployed into an account of its own: two examples may
    # both create `/ecs/api`, as two programs in one real account could not.
    python3 -c "import urllib.request as u; u.urlopen(u.Request('$ENDPOINT/moto-api/reset', method='POST'))"
    CERT=$(new_certificate)
    if grep -q '"Type": "network"' "$dir"*.json; then
        echo "SKIP $name: network load balancer (moto creates every load balancer as an ALB)"
        skipped=$((skipped + 1))
        continue
    fi
    ok=1
    if [ -f "$dir/deploy-order.txt" ]; then
        n=$(grep -vc '^#' "$dir/deploy-order.txt")
        echo "== $name: split into $n stacks, deployed in deploy-order.txt order"
        while read -r step stack file; do
            # </dev/null: the aws CLI must not eat the rest of the order list
            deploy_stack "$name" "$dir$file" "$stack" >"$WORK/$stack.log" 2>&1 </dev/null || {
                cat "$WORK/$stack.log" || true; ok=0; break; }
        done < <(grep -v '^#' "$dir/deploy-order.txt" | sort -s -n -k1,1)
        [ "$ok" = 1 ] && grep -h "declared values checked" "$WORK"/"$name"-*.log |
            awk '{c += $1; m += $6} END {print "  " c " declared values checked, " m " mismatches"}'
    else
        template=$(ls "$dir"*.json | head -1)
        echo "== $name ($(basename "$template"))"
        deploy_stack "$name" "$template" "wharf-$name" </dev/null || ok=0
    fi
    if [ "$ok" = 1 ]; then
        echo "OK   $name"
        deployed=$((deployed + 1))
    else
        echo "FAIL $name"
        failed=$((failed + 1))
    fi
done

# The ECS API target's task definitions with a runtime platform (Windows,
# ARM64), registered through the ECS API, which keeps runtimePlatform.
if "$WHARF" build --help 2>/dev/null | grep -q -- --target; then
    python3 -c "import urllib.request as u; u.urlopen(u.Request('$ENDPOINT/moto-api/reset', method='POST'))"
    platform_files=()
    for src in examples/*.wharf; do
        name=$(basename "$src" .wharf)
        "$WHARF" build "$src" --target ecs -o "$WORK/ecs/$name" --color never >/dev/null 2>&1 || continue
        for f in "$WORK/ecs/$name"/taskdefs/*.json; do
            [ -f "$f" ] && grep -q '"runtimePlatform"' "$f" && platform_files+=("$f")
        done
    done
    if [ "${#platform_files[@]}" -gt 0 ]; then
        echo "== ECS API: ${#platform_files[@]} task definitions with a runtime platform"
        if python3 "$HELPER" register "$ENDPOINT" "${platform_files[@]}"; then
            echo "OK   runtime platforms"
        else
            echo "FAIL runtime platforms"
            failed=$((failed + 1))
        fi
    fi
fi

echo "deploy test: $deployed deployed and checked, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$deployed" -ge 3 ]
