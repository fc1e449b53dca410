"""The console's site: ``src/`` bundled by esbuild into a few hashed files, and its policy.

The app is plain JavaScript modules (Preact with htm's templates, no JSX compiler). esbuild
bundles them with the npm packages into one minified script and one stylesheet, named by
their content's hash; ``index.html`` links both. ``config.json`` beside them tells the app how
users sign in (``"Cognito": null`` locally: Basic users; on AWS the user pool's hosted
sign-in, ``{"Domain", "ClientId", "RedirectUri"}``, ``infra/console.py``) and the largest file
it uploads in one request (``DirectUploadLimit``, bytes; larger files go through
``/cirrus/uploads``). Nothing is loaded from anywhere else at run time.

The same :func:`build` serves ``make run`` (``python -m console.site``, served by
``local_stack/static_site.py`` at ``/ui/app/``) and the CDK app; the Content-Security-Policy
(:func:`content_security_policy`) is the same in both places.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
from pathlib import Path
from string import Template
from typing import Any

CONSOLE_DIR = Path(__file__).resolve().parent
SOURCE_DIR = CONSOLE_DIR / "src"
ESBUILD = CONSOLE_DIR / "node_modules" / ".bin" / "esbuild"
BUILD_DIR = CONSOLE_DIR / "build"
# Where the console is served on the API's origin (Orthanc Explorer 2's address, so that an
# Orthanc user's bookmark lands on it), and its one page.
SITE_PATH = "/ui/app/"
INDEX = "index.html"
CONFIG = "config.json"
# config.json's keys, and their values when the caller gives none.
DEFAULT_CONFIG: dict[str, Any] = {
    "Cognito": None,
    # What POST /instances carries on AWS: Lambda's 6 MB request holds the body in base64
    # (4/3 of it), so 4 MiB (Cirrus's LargeObjectThreshold); above, /cirrus/uploads via S3.
    "DirectUploadLimit": 4 * 2**20,
}


def site_config(config: dict[str, Any] | None = None) -> dict[str, Any]:
    """``config.json``'s content: :data:`DEFAULT_CONFIG` with ``config`` over it (an unknown
    key is refused: it would be a typo the console ignores)."""
    unknown = set(config or {}) - set(DEFAULT_CONFIG)
    if unknown:
        raise ValueError(f"Unknown console settings: {', '.join(sorted(unknown))}")
    return {**DEFAULT_CONFIG, **(config or {})}


def build(out: Path = BUILD_DIR, *, config: dict[str, Any] | None = None) -> Path:
    """Bundle the app into ``out`` (replaced) with ``config`` (:func:`site_config`) as its
    ``config.json``, and return ``out``. The files use relative links: the site works under
    any path."""
    if not ESBUILD.is_file():
        raise FileNotFoundError(f"No esbuild in {ESBUILD.parent}: run `npm ci` in {CONSOLE_DIR}")
    staging = out.with_name(out.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    meta = staging / "meta.json"
    subprocess.run(
        [
            str(ESBUILD),
            str(SOURCE_DIR / "main.js"),
            str(SOURCE_DIR / "style.css"),
            "--bundle",
            "--minify",
            "--format=esm",
            "--target=es2020",
            "--legal-comments=none",
            "--entry-names=[name]-[hash]",
            f"--outdir={staging}",
            f"--metafile={meta}",
            "--log-level=warning",
        ],
        check=True,
        cwd=CONSOLE_DIR,
    )
    outputs = [Path(name).name for name in json.loads(meta.read_text())["outputs"]]
    meta.unlink()
    page = Template((CONSOLE_DIR / INDEX).read_text(encoding="utf-8")).substitute(
        script=next(name for name in outputs if name.endswith(".js")),
        stylesheet=next(name for name in outputs if name.endswith(".css")),
    )
    (staging / INDEX).write_text(page, encoding="utf-8")
    (staging / CONFIG).write_text(json.dumps(site_config(config)), encoding="utf-8")
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)
    return out


def content_security_policy(sign_in_origin: str = "", upload_origin: str = "") -> str:
    """The policy of every answer of the site: its own files and the API on the same origin,
    no inline script or style, no eval (htm needs none), images from the API and from the
    ``blob:`` URLs of downloads; ``sign_in_origin``, the Cognito domain of the hosted sign-in
    when there is one, may be sent the tokens' code and asked for the tokens;
    ``upload_origin``, where presigned uploads go (the bucket's, or the emulator's locally),
    may be sent the files larger than the API carries."""
    extra = f" {sign_in_origin}" if sign_in_origin else ""
    uploads = f" {upload_origin}" if upload_origin else ""
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data: blob:",
            f"connect-src 'self'{extra}{uploads}",
            "object-src 'none'",
            "base-uri 'self'",
            f"form-action 'self'{extra}",
            "frame-ancestors 'none'",
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=BUILD_DIR)
    args = parser.parse_args()
    print(f"Console built in {build(args.out)}")


if __name__ == "__main__":
    main()
