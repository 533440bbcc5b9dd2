"""`image` on the local backend: real images of the requested size, the same bytes for the
same seed, file safety, `--save-steps`, history."""

from __future__ import annotations

import hashlib
import io
import itertools
import sqlite3
from pathlib import Path

import pytest
from PIL import Image

from bedrock_cli.output.images import UPPER_HALF, half_blocks
from bedrock_cli.tasks.image.files import plan, slug
from tests.helpers import Run, cli


def local(*args: str) -> Run:
    return cli(["--backend", "local", "image", *args])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_text_to_image_writes_a_png_of_the_requested_size(tmp_path: Path) -> None:
    run = local("a blue sky with white clouds and the word 'Hello'", "--seed", "42", "--size",
                "512x384", "-o", str(tmp_path) + "/")
    assert run.exit_code == 0, run.stderr
    path = tmp_path / "a-blue-sky-with-white-clouds-and-the-word-hello-42.png"
    assert run.stdout == f"{path}\n"
    image = Image.open(path)
    assert image.format == "PNG" and image.size == (512, 384)
    r, g, b = image.convert("RGB").resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    assert b > r and b > g  # the sky is blue


def test_same_seed_same_bytes_different_seed_different_bytes(tmp_path: Path) -> None:
    args = ("green hills under a red sun", "--size", "384x320")
    assert local(*args, "--seed", "5", "-o", str(tmp_path / "a.png")).exit_code == 0
    assert local(*args, "--seed", "5", "-o", str(tmp_path / "b.png")).exit_code == 0
    assert local(*args, "--seed", "6", "-o", str(tmp_path / "c.png")).exit_code == 0
    assert digest(tmp_path / "a.png") == digest(tmp_path / "b.png")
    assert digest(tmp_path / "a.png") != digest(tmp_path / "c.png")


def test_json_result_and_history(tmp_path: Path, isolated_env: Path) -> None:
    run = local("a red circle", "--seed", "3", "--size", "320x320", "-n", "2", "--json", "-o",
                str(tmp_path / "circle.png"))
    assert run.exit_code == 0, run.stderr
    result = run.json()
    assert result["files"] == [str(tmp_path / "circle-1.png"), str(tmp_path / "circle-2.png")]
    assert result["images"][0]["width"] == 320 and result["backend"] == "local"
    assert result["model"] == result["model_id"] == "amazon.nova-canvas-v1:0"
    assert result["cost_usd"] == pytest.approx(0.08) and result["blocked"] is None
    assert digest(tmp_path / "circle-1.png") != digest(tmp_path / "circle-2.png")
    db = sqlite3.connect(isolated_env / "data" / "history.db")
    row = db.execute("SELECT command, prompt, response, cost_usd, status FROM calls").fetchone()
    assert row == ("image", "a red circle",
                   f"{tmp_path / 'circle-1.png'}\n{tmp_path / 'circle-2.png'}", 0.08, "complete")


def test_existing_file_is_never_overwritten_without_force(tmp_path: Path) -> None:
    target = tmp_path / "keep.png"
    target.write_bytes(b"precious")
    run = local("a cat", "--seed", "1", "--size", "320x320", "-o", str(target))
    assert run.exit_code == 2
    assert "already exists" in run.stderr and "--force" in run.stderr
    assert target.read_bytes() == b"precious"
    forced = local("a cat", "--seed", "1", "--size", "320x320", "-o", str(target), "--force")
    assert forced.exit_code == 0, forced.stderr
    assert Image.open(target).size == (320, 320)


def test_derived_names_are_sanitised_confined_and_never_clobber(tmp_path: Path) -> None:
    out = tmp_path / "out"
    prompt = "../../etc/passwd: a <b>bold</b> ÉTÉ sky \\ /root " + "very long " * 20
    first = local(prompt, "--seed", "9", "--size", "320x320", "-o", str(out) + "/")
    second = local(prompt, "--seed", "9", "--size", "320x320", "-o", str(out) + "/")
    assert first.exit_code == 0 and second.exit_code == 0, first.stderr + second.stderr
    names = sorted(p.name for p in out.iterdir())
    stem = "etc-passwd-a-b-bold-b-ete-sky-root-very-long-very-long-very"
    assert names == [f"{stem}-9-2.png", f"{stem}-9.png"]
    assert all(len(n) <= 80 and "/" not in n for n in names)
    assert [p for p in tmp_path.rglob("*.png") if p.parent != out] == []


def test_slug_and_plan_units(tmp_path: Path) -> None:
    assert slug("  ") == "image"
    assert slug("Über café — 日本") == "uber-cafe"
    assert slug("x" * 100) == "x" * 60
    targets = plan(str(tmp_path), "a cat", ["1", "1-2"], "png", force=False, steps=True)
    assert [t.path.name for t in targets] == ["a-cat-1.png", "a-cat-1-2.png"]
    assert targets[0].steps == tmp_path / "a-cat-1.steps.gif"
    (tmp_path / "a-cat-1.steps.gif").write_bytes(b"x")  # a taken GIF moves the pair along
    assert plan(str(tmp_path), "a cat", ["1"], "png", force=False, steps=True)[0].path.name == \
        "a-cat-1-2.png"


def test_save_steps_writes_a_gif_with_the_noise_clearing(tmp_path: Path) -> None:
    run = local("a yellow sun in a blue sky", "--seed", "4", "--size", "320x320",
                "--save-steps", "-o", str(tmp_path / "out.png"))
    assert run.exit_code == 0, run.stderr
    assert run.stdout.splitlines() == [str(tmp_path / "out.png"),
                                       str(tmp_path / "out.steps.gif")]
    gif = Image.open(tmp_path / "out.steps.gif")
    assert gif.format == "GIF" and gif.n_frames >= 10
    frames = []
    for index in (0, gif.n_frames - 1):
        gif.seek(index)
        frames.append(gif.convert("L"))

    def roughness(frame: Image.Image) -> float:  # mean difference between neighbours
        pixels = frame.tobytes()
        return sum(abs(a - b) for a, b in itertools.pairwise(pixels)) / len(pixels)

    assert roughness(frames[0]) > 3 * roughness(frames[1])  # noise first, a picture last


def test_existing_steps_gif_blocks_an_explicit_name(tmp_path: Path) -> None:
    (tmp_path / "out.steps.gif").write_bytes(b"old")
    run = local("a sun", "--seed", "4", "--save-steps", "-o", str(tmp_path / "out.png"))
    assert run.exit_code == 2 and "out.steps.gif already exists" in run.stderr
    assert not (tmp_path / "out.png").exists()


def test_image_to_image_and_background_removal(tmp_path: Path) -> None:
    photo = tmp_path / "photo.png"
    source = Image.new("RGB", (480, 360), (235, 235, 235))
    source.paste((200, 30, 30), (160, 100, 320, 260))
    source.save(photo)
    varied = local("a watercolor painting", "--from", str(photo), "--strength", "0.5",
                   "--seed", "2", "-o", str(tmp_path / "v.png"))
    assert varied.exit_code == 0, varied.stderr
    assert Image.open(tmp_path / "v.png").size == (480, 352)  # the input's shape, 16-px sides
    assert "not the input's 480x360" in varied.stderr  # and the CLI says why
    kept = local("anime style", "--from", str(photo), "-m", "sdxl", "--seed", "2",
                 "-o", str(tmp_path / "k.png"))
    assert kept.exit_code == 0, kept.stderr
    assert Image.open(tmp_path / "k.png").size == (480, 360)
    cut = local("--from", str(photo), "--remove-background", "-o", str(tmp_path / "cut.png"))
    assert cut.exit_code == 0, cut.stderr
    rgba = Image.open(tmp_path / "cut.png")
    assert rgba.mode == "RGBA" and rgba.getpixel((5, 5))[3] == 0
    assert rgba.getpixel((240, 180))[3] == 255


def test_prompt_from_stdin(tmp_path: Path) -> None:
    run = cli(["--backend", "local", "image", "--seed", "1", "--size", "320x320", "-o",
               str(tmp_path / "s.png")], input="a green field\n")
    assert run.exit_code == 0, run.stderr
    assert (tmp_path / "s.png").exists()


def test_no_prompt_is_a_usage_error() -> None:
    run = local("--seed", "1")
    assert run.exit_code == 2 and "No prompt given" in run.stderr


def test_half_block_preview_renders_two_pixels_per_cell() -> None:
    image = Image.new("RGB", (4, 4), (255, 0, 0))
    image.paste((0, 0, 255), (0, 2, 4, 4))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    text = half_blocks(buffer.getvalue(), columns=4)
    lines = text.splitlines()
    assert len(lines) == 2 and lines[0].count(UPPER_HALF) == 4
    assert "\x1b[38;2;255;0;0m\x1b[48;2;255;0;0m" in lines[0]
    assert "\x1b[38;2;0;0;255m\x1b[48;2;0;0;255m" in lines[1]
    assert half_blocks(buffer.getvalue(), columns=4, color=False) == \
        (UPPER_HALF * 4 + "\n") * 2
