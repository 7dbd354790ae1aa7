"""What a cold ``tushuo render`` does not pay for (measured in benchmarks/RESULTS.md, "Wave 4: cold start").

No timings here: each test pins one decision that keeps work out of a fresh process, so a later
change that brings the work back fails a test instead of slowing every command line by a few ms.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pydantic import BaseModel

import tushuo.spec

ROOT = Path(__file__).resolve().parents[1]

#: Modules a render of a valid spec has no use for: each is imported where it is needed.
NOT_FOR_A_RENDER = (
    "difflib",  # "did you mean" in error messages (loading/messages.py, loading/extends.py)
    "tushuo.data",  # reads a block's data_file (inputs.py imports it for the first one)
    "PIL.PngImagePlugin",  # tushuo writes PNGs itself; "wrote x.png 1080×5009 px" reads the IHDR chunk
)


def test_a_cold_render_imports_none_of_what_it_does_not_use(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from tushuo.cli import main\n"
        f"code = main(['render', 'benchmarks/light.yaml', '-o', {str(tmp_path / 'light.png')!r}])\n"
        f"print(code, sorted(m for m in {NOT_FOR_A_RENDER!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[-2] == "0 []"
    assert (tmp_path / "light.png").stat().st_size > 0


def test_the_written_message_reads_a_png_size_as_pillow_does(tmp_path: Path) -> None:
    from PIL import Image

    from tushuo.runspec import describe_output

    for size in [(1, 1), (7, 3), (1080, 5009), (2, 70000), (70000, 2)]:
        path = tmp_path / f"{size[0]}x{size[1]}.png"
        Image.new("L", size).save(path)
        with Image.open(path) as im:
            assert describe_output(path).startswith(f"{path}  {im.width}×{im.height} px, ")
    # not a PNG inside (or cut short): the size alone, as when Pillow cannot read the header
    for junk in (b"", b"\x89PNG\r\n\x1a\n", b"GIF89a" + bytes(40)):
        path = tmp_path / "junk.png"
        path.write_bytes(junk)
        assert "px" not in describe_output(path)


def test_spec_model_annotations_are_objects_not_strings() -> None:
    # pydantic evaluates a string annotation (from ``from __future__ import annotations``) with
    # eval() at class creation: ~190 fields, 4-5 ms of every cold start. (The one forward
    # reference, SectionBlock.blocks: list["Block"], is a list of a ForwardRef, not a string.)
    models = [m for m in vars(tushuo.spec).values() if isinstance(m, type) and issubclass(m, BaseModel)]
    assert len(models) > 30
    strings = {f"{m.__name__}.{name}" for m in models for name, a in vars(m).get("__annotations__", {}).items()
               if isinstance(a, str)}
    assert strings == set()
