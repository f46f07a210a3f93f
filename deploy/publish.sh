#!/usr/bin/env bash
# 发布 / Publishing: check, build, compare with the last publication, sweep, deploy.
# CI runs this on every push to main and every 15 minutes (so embargoes fall due on time);
# the office runs the very same script by hand. Nothing is deployed unless the build
# succeeded and passed its checks.
#
# Settings (environment):
#   DEPLOY_RSYNC_TARGET   e.g. deploy@www.example.gov.cn:/srv/congress/site/  (rsync over ssh)
#   DEPLOY_S3_URI         e.g. s3://congress-site  (any S3-compatible storage; needs the aws CLI)
#   PREVIOUS_MANIFEST     the manifest of the last publication (default build/previous-manifest.json)
#   CONGRESS_NOW          build as of this time instead of now (rehearsals)
#   CONGRESS_ALLOW_REMOVAL  set to 1 to publish a build that takes down many live articles
#   CONGRESS              the congress command to use (default: set up .venv with make)
#   ARCHIVE_RSYNC_TARGET  where the web archive's WARC files are kept, e.g.
#                         archive@store.example.gov.cn:/srv/congress/archive/  (rsync over ssh)
#   ARCHIVE_S3_URI        or an S3-compatible bucket for them, e.g. s3://congress-archive
#                         A fresh runner first fetches the WARC files it lacks from there, so that
#                         revisits and the index cover the whole archive; new ones are copied
#                         back after each publication. WARC files are never changed once written:
#                         only missing ones are copied, either way.
#   CONGRESS_TRUST_ROOT   the registrar's public key(s), or a file of them: who may sign the
#                         staff registry (README, 签名). Required whenever a deploy target is
#                         set: a production build never trusts the demo registrar.
set -euo pipefail
cd "$(dirname "$0")/.."

# The build cache and the build records are never taken from the repository: a cache committed
# by hand (`git add -f .cache/…`) would be read as this machine's own, with the outcomes of
# signature checks and the gate's findings in it.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1 \
   && [ -n "$(git ls-files -- .cache build site archive | head -n 1)" ]; then
  echo "仓库中提交了构建缓存或构建产物（.cache/、build/、site/、archive/），可能被用来绕过审核：未构建、未部署 [PUBLISH-TRACKED-OUTPUT]。" >&2
  echo "    建议：git rm -r --cached 这些文件后重新提交。" >&2
  exit 1
fi

if [ -n "${DEPLOY_RSYNC_TARGET:-}${DEPLOY_S3_URI:-}" ]; then
  # The congress commands then refuse to run without a trust root (TRUST-ROOT-MISSING).
  export CONGRESS_REQUIRE_TRUST_ROOT=1
fi

if [ -n "${CONGRESS:-}" ]; then
  congress="$CONGRESS"
else
  make --silent .venv/.installed-stamp
  congress=.venv/bin/congress
fi
now_args=()
[ -n "${CONGRESS_NOW:-}" ] && now_args=(--now "$CONGRESS_NOW")
previous="${PREVIOUS_MANIFEST:-build/previous-manifest.json}"
manifest=build/publication-manifest.json
mkdir -p build
rm -f "$manifest"

if ! archive_dir="$("$congress" archive where)"; then
  echo "配置无法读取：未构建、未部署，线上站点保持不变。" >&2
  exit 1
fi
warcs_only=(--include='*/' --include='*.warc.gz' --exclude='*')
if [ -n "${ARCHIVE_RSYNC_TARGET:-}" ]; then
  echo "== 取回网页归档 =="
  mkdir -p "$archive_dir"
  rsync -r --ignore-existing "${warcs_only[@]}" "${ARCHIVE_RSYNC_TARGET%/}/" "$archive_dir/"
elif [ -n "${ARCHIVE_S3_URI:-}" ]; then
  echo "== 取回网页归档 =="
  aws s3 sync "$ARCHIVE_S3_URI" "$archive_dir/" --exclude '*' --include '*.warc.gz'
fi

echo "== 检查稿件 =="
"$congress" check "${now_args[@]}" > build/check.txt || true
tail -n 1 build/check.txt

echo "== 构建 =="
# What the last deployment made public: a build that would take down more than the configured
# share of it (max_removal_share, default 20 %), or all of it, does not go live
# (BUILD-MASS-REMOVAL) and writes no manifest, so nothing below runs. A removal that is meant
# is published by running the build by hand with --allow-removal (or CONGRESS_ALLOW_REMOVAL=1).
live_args=()
[ -f "$previous" ] && live_args=(--live-manifest "$previous")
[ -n "${CONGRESS_ALLOW_REMOVAL:-}" ] && live_args+=(--allow-removal)
build_status=0
# The web archive records the publication once it is deployed (below), not before.
"$congress" build --no-archive "${now_args[@]}" "${live_args[@]}" || build_status=$?
if [ ! -f "$manifest" ]; then
  echo "构建失败或未上线：未部署，线上站点保持不变。" >&2
  exit 1
fi

echo "== 本次发布的变化 =="
"$congress" diff "$previous" "$manifest" | tee build/diff.txt

echo "== 定期清查 =="
audit_status=0
"$congress" audit "${now_args[@]}" --site-dir site > build/audit.txt || audit_status=$?
tail -n 1 build/audit.txt

echo "== 部署 =="
if [ -n "${DEPLOY_RSYNC_TARGET:-}" ]; then
  # --delay-updates puts every changed file in place at the end, so readers never see half.
  rsync -rlz --checksum --delete --delay-updates site/ "$DEPLOY_RSYNC_TARGET"
elif [ -n "${DEPLOY_S3_URI:-}" ]; then
  aws s3 sync site/ "$DEPLOY_S3_URI" --delete
else
  echo "未设置 DEPLOY_RSYNC_TARGET 或 DEPLOY_S3_URI：只构建，不部署。"
fi
cp "$manifest" "$previous"

echo "== 网页归档 =="
# What went live, as the server sends it: a WARC file when anything changed (README, 网页归档).
archive_status=0
"$congress" archive record --manifest "$manifest" || archive_status=$?
if [ -n "${ARCHIVE_RSYNC_TARGET:-}" ]; then
  rsync -r --ignore-existing "${warcs_only[@]}" "$archive_dir/" "${ARCHIVE_RSYNC_TARGET%/}/"
elif [ -n "${ARCHIVE_S3_URI:-}" ]; then
  aws s3 sync "$archive_dir/" "$ARCHIVE_S3_URI" --exclude '*' --include '*.warc.gz' --size-only
fi

# Deployed, but a failure still turns CI red so that someone looks: an article left out for
# an error, or a veto item of the sweep.
[ "$build_status" -eq 0 ] || { echo "有稿件因错误未发布，见上方构建输出。" >&2; exit 1; }
[ "$audit_status" -eq 0 ] || { echo "定期清查发现单项否决问题，见 build/audit.txt。" >&2; exit 1; }
[ "$archive_status" -eq 0 ] || { echo "本次发布未能写入网页归档，见上方输出。" >&2; exit 1; }
