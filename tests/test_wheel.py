"""The built wheel carries the fonts: install it in a fresh venv and measure text from outside the checkout.

Offline and quick: the wheel is built with pip and the hatchling already installed
(no build isolation), the venv borrows the running interpreter's site-packages for
dependencies (a ``.pth`` file, so it works from inside another venv, where
``--system-site-packages`` would see the base interpreter instead) and gets only the
wheel (``--no-deps``).
"""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import json, sys, tushuo, tushuo.resources as r
from tushuo.text import break_lines, measure
print(json.dumps({
    "module": tushuo.__file__,
    "fonts": str(r.fonts_dir()),
    "files": sorted(p.name for p in r.fonts_dir().iterdir()),
    "layouts": str(r.layouts_dir()),
    "width": measure("中文WeChat", 30),
    "lines": break_lines("为切实做好村两委换届工作，镇党委召开专题会议。", 300, 30),
    "prefix": sys.prefix,
}))
"""


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=240, **kw)
    assert proc.returncode == 0, f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


def test_wheel_installs_and_finds_its_fonts(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation", "--no-index",
         "-q", "-w", str(dist)], cwd=ROOT)
    [wheel] = list(dist.glob("tushuo-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for font in ("NotoSansSC-Regular", "NotoSansSC-Bold", "NotoSerifSC-Black", "NotoSansSymbols2-Regular"):
        assert f"tushuo/_data/fonts/{font}.ttf" in names
        assert f"tushuo/_data/fonts/{font}.metrics" in names  # fast cold start needs these
    assert any(n.startswith("tushuo/_data/layouts/") for n in names)
    # the word list balanced titles break by, and the licence of its source
    assert "tushuo/text/words.bin" in names and "tushuo/text/words-LICENSE.txt" in names
    for asset in ("index.html", "app.js", "app.css", "LICENSES.txt"):  # tushuo serve's page, offline
        assert f"tushuo/serve/web/{asset}" in names
    assert not any("node_modules" in n or n.startswith("tushuo/serve/web/src/") for n in names)

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    py = venv / "bin" / "python"
    inner = Path(run([str(py), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]).stdout.strip())
    # the dependencies come from wherever this interpreter finds them, after the venv's own packages
    outer = dict.fromkeys([*site.getsitepackages(), sysconfig.get_path("purelib"), sysconfig.get_path("platlib")])
    (inner / "_outer_deps.pth").write_text("".join(f"{p}\n" for p in outer if Path(p).is_dir()))
    run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "--no-index", "--no-compile",
         "--ignore-installed",  # the outer site-packages the venv can see may hold tushuo too
         "-q", str(wheel)])

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PYTHONNOUSERSITE"] = "1"
    out = run([str(py), "-c", PROBE], cwd=tmp_path, env=env)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    prefix = Path(got["prefix"]).resolve()
    assert prefix == venv.resolve()
    assert Path(got["module"]).resolve().is_relative_to(venv.resolve()), got["module"]
    fonts = Path(got["fonts"]).resolve()
    assert fonts.is_relative_to(venv.resolve()) and "site-packages" in fonts.parts, fonts
    assert not fonts.is_relative_to(ROOT)
    assert "NotoSansSC-Regular.ttf" in got["files"]
    assert Path(got["layouts"]).resolve().is_relative_to(venv.resolve())
    assert got["width"] > 60.0  # two Han (60 px) + a Latin word + the CJK–Latin gap
    assert "".join(got["lines"]) == "为切实做好村两委换届工作，镇党委召开专题会议。"
