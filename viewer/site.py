"""The OHIF Viewer's site: npm's prebuilt ``dist/`` made servable under a path, and its policy.

``@ohif/app`` ships a build made for the root of a web server (``PUBLIC_URL=/``: absolute
``/app.bundle...js`` links in index.html and the CSS, webpack's public path ``"/"`` in the
bundles that load chunks and workers). Rebuilding OHIF for another path takes its whole
source tree and toolchain (its build script asks for a 24 GB heap); the package's own
``files`` are the build. So :func:`build` copies the dist and rewrites those absolute
references to the path the site is served at, and writes ``app-config.js`` from
``viewer/app-config.template.js``. Unchanged files are hard links (the dist is ~200 MB).

The same function builds the site for ``make run`` (``python -m viewer.site``, served by
``local_stack/static_site.py`` at ``/ohif/``) and for the CDK app (``infra/viewer.py``, which
publishes it to S3 behind the API's stage path). The Content-Security-Policy of the answers
(:func:`content_security_policy`) is computed from the built index.html and is the same in
both places.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import re
import shutil
from pathlib import Path
from string import Template

VIEWER_DIR = Path(__file__).resolve().parent
DIST_DIR = VIEWER_DIR / "node_modules" / "@ohif" / "app" / "dist"
TEMPLATE_PATH = VIEWER_DIR / "app-config.template.js"
BUILD_DIR = VIEWER_DIR / "build"
# Where the viewer is served on the API's origin, and the page of every app route.
SITE_PATH = "/ohif/"
INDEX = "index.html"
# OHIF's client-side routes (its modes' ``routeName``s and the study list's local routes):
# a deep link such as /ohif/viewer?StudyInstanceUIDs=... is answered with index.html. Only
# these, on AWS as locally, where API Gateway needs a resource per route (infra/viewer.py).
APP_ROUTES = (
    "viewer",
    "segmentation",
    "tmtv",
    "microscopy",
    "dynamic-volume",
    "usAnnotation",
    "basic",
    "local",
    "localbasic",
)
# Served by the build but useless (or harmful) here: the netlify/serve configurations,
# and the service worker (it would cache the app against the authenticated API).
_LEFT_OUT = ("_headers", "_redirects", "serve.json", "sw.js")
# webpack's runtime public path, compiled into every bundle that loads chunks or workers.
_PUBLIC_PATH = '__webpack_require__.p = "/";'
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def build(
    out: Path = BUILD_DIR,
    *,
    site_path: str = SITE_PATH,
    server_root: str = "",
    dist: Path = DIST_DIR,
) -> Path:
    """Build the site served at ``site_path`` into ``out`` (replaced), with a data source at
    ``{server_root}/dicom-web`` on the same origin, and return ``out``."""
    if not (dist / INDEX).is_file():
        raise FileNotFoundError(f"No OHIF build in {dist}: run `npm ci` in {VIEWER_DIR}")
    if not (site_path.startswith("/") and site_path.endswith("/")):
        raise ValueError(f"The site path must start and end with '/', got {site_path!r}")
    staging = out.with_name(out.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(
        dist,
        staging,
        copy_function=_link_or_copy,
        ignore=shutil.ignore_patterns("*.map", *_LEFT_OUT),
    )
    for path in staging.rglob("*"):
        if path.suffix in (".html", ".css", ".js", ".json", ".xml") and path.is_file():
            _rebase(path, site_path)
    config = Template(TEMPLATE_PATH.read_text(encoding="utf-8")).substitute(
        router_basename=site_path, server_root=server_root
    )
    (staging / "app-config.js").unlink()
    (staging / "app-config.js").write_text(config, encoding="utf-8")
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)
    return out


def _link_or_copy(source: str, target: str) -> None:
    """A hard link where the file system allows it (rewritten files are replaced, never
    written through the link), else a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _rebase(path: Path, site_path: str) -> None:
    """Rewrite the root-relative references of one built file to ``site_path``."""
    text = path.read_text(encoding="utf-8", errors="surrogateescape")
    if path.suffix == ".html":
        rebased = re.sub(r'(href|src|content)="/(?!/)', rf'\1="{site_path}', text)
        rebased = rebased.replace('window.PUBLIC_URL="/"', f'window.PUBLIC_URL="{site_path}"')
    elif path.suffix == ".css":
        rebased = re.sub(r"url\(/(?!/)", f"url({site_path}", text)
    elif path.suffix in (".json", ".xml"):  # the web app manifests' icons
        rebased = text.replace('"/assets/', f'"{site_path}assets/')
    else:
        rebased = text.replace(_PUBLIC_PATH, f'__webpack_require__.p = "{site_path}";')
    if rebased != text:
        path.unlink()  # a hard link to the dist: never write through it
        path.write_text(rebased, encoding="utf-8", errors="surrogateescape")


def content_security_policy(index_html: str) -> str:
    """The policy of every answer of the site: OHIF's own files and the API on the same
    origin only (nothing from a CDN), with what its code needs in Chromium:
    ``'wasm-unsafe-eval'`` to compile the image codecs (WebAssembly), workers and images
    from ``blob:`` URLs, inline styles (React's style attributes), and index.html's two
    inline scripts admitted by their hashes rather than ``'unsafe-inline'``."""
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()}'"
        for body in _INLINE_SCRIPT.findall(index_html)
    )
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'wasm-unsafe-eval' {hashes}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self' data: blob:",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=BUILD_DIR)
    parser.add_argument("--site-path", default=SITE_PATH)
    parser.add_argument("--server-root", default="")
    args = parser.parse_args()
    built = build(args.out, site_path=args.site_path, server_root=args.server_root)
    print(f"OHIF built for {args.site_path} in {built}")


if __name__ == "__main__":
    main()
