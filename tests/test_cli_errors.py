"""errors.csv, --tags and report.html from ``sklearn-dnn recipe`` (DESIGN 22)."""

import csv
import json
import re
import shutil
import subprocess

import numpy as np
import pytest
from test_cli import one_line_error, run_in_process

BROWSERS = ("chromium", "chromium-browser", "google-chrome")


@pytest.fixture(scope="module")
def tagged_csv(tmp_path_factory):
    """120 noisy rows, text labels, two tag columns and blank lines.

    The file name and a tag's name hold HTML; a blank line after the header
    and one in the middle make data rows and file lines differ.
    """
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 3))
    y = np.where(X[:, 0] + rng.normal(scale=0.8, size=120) > 0, "cat", "dog&<i>")
    blurry = (rng.uniform(size=120) < 0.3).astype(int)
    dark = (rng.uniform(size=120) < 0.2).astype(int)
    lines = ["a,b,blurry<b>,label,c,dark", ""]
    for k, ((a, b, c), label) in enumerate(zip(X, y)):
        lines.append(f"{a:.4f},{b:.4f},{blurry[k]},{label},{c:.4f},{dark[k]}")
        if k == 50:
            lines.append("")
    path = tmp_path_factory.mktemp("data") / "photos<1>.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def tagged_run(tagged_csv, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "report"
    result = run_in_process(
        "recipe", "--data", tagged_csv, "--target", "label",
        "--tags", "blurry<b>,dark", "--max-rounds", "1", "--max-time", "20",
        "--out", out,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result, out


def test_errors_csv_rows_map_back_to_the_input_file(tagged_csv, tagged_run):
    _, out = tagged_run
    report = json.loads((out / "report.json").read_text())
    analysis = report["error_analysis"]
    with open(out / "errors.csv", newline="") as handle:
        errors = list(csv.DictReader(handle))
    assert list(errors[0]) == ["row", "line", "true", "predicted", "confidence"]
    assert len(errors) == analysis["n_errors"] > 0
    assert analysis["dev_error"] == pytest.approx(len(errors) / analysis["n_dev"])
    file_lines = tagged_csv.read_text().split("\n")
    data_rows = [line for line in file_lines[1:] if line.strip()]
    n_blurry = 0
    for error in errors:
        line = file_lines[int(error["line"]) - 1].split(",")
        assert data_rows[int(error["row"]) - 1].split(",") == line
        assert line[3] == error["true"] != error["predicted"]
        assert 0 < float(error["confidence"]) <= 1
        n_blurry += line[2] == "1"
    assert analysis["by_tag"]["blurry<b>"]["n_errors"] == n_blurry
    # The tags are not features.
    assert report["data"]["feature_names"] == ["a", "b", "c"]


def test_the_ceiling_table_is_in_the_report_and_on_the_console(tagged_run):
    result, out = tagged_run
    analysis = json.loads((out / "report.json").read_text())["error_analysis"]
    assert set(analysis["by_tag"]) == {"blurry<b>", "dark"}
    ceilings = [r["ceiling"] for r in analysis["by_tag"].values()]
    assert ceilings == sorted(ceilings)
    for record in analysis["by_tag"].values():
        assert record["ceiling"] == pytest.approx(
            analysis["dev_error"] * (1 - record["share"])
        )
    assert "by tag" in result.stdout and "blurry<b>" in result.stdout
    assert "ceiling" in result.stdout


def test_report_html_is_self_contained_and_escaped(tagged_run):
    _, out = tagged_run
    page = (out / "report.html").read_text()
    assert "<script" not in page and "<link" not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)
    assert "url(" not in page
    assert "blurry&lt;b&gt;" in page and "blurry<b>" not in page
    assert "photos&lt;1&gt;.csv" in page and "dog&amp;&lt;i&gt;" in page
    assert page.count("data:image/png;base64,") == 4  # with the ceilings
    for heading in ("Data and split", "Rounds", "Best round", "Error analysis"):
        assert heading in page
    assert "--tags" in page  # the command line
    # One file split at random: the checks not run are said, not shown as NaN.
    assert "by construction" in page and "AUC nan" not in page


@pytest.mark.parametrize(
    "tags, message",
    [
        ("nope", "unknown --tags column 'nope'"),
        ("label", "--tags 'label' is the target column"),
        ("a", "--tags column 'a' of --data 'photos<1>.csv' must hold 0 or 1"),
        ("a,b,c,blurry<b>,dark", "none would be left"),
    ],
)
def test_bad_tags_are_one_line_errors(tagged_csv, tmp_path, tags, message):
    out = tmp_path / "out"
    result = run_in_process(
        "recipe", "--data", tagged_csv, "--target", "label", "--tags", tags,
        "--out", out,
    )  # fmt: skip
    one_line_error(result, message)
    assert not out.exists()


def test_tags_need_a_csv_file(tmp_path):
    result = run_in_process("recipe", "--tags", "x", "--out", tmp_path / "o")
    one_line_error(result, "--tags needs a CSV file")


def _browser():
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    pytest.skip(f"no headless browser installed (looked for {', '.join(BROWSERS)})")


def _headless(browser, *args):
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


# Run by the test on a copy of the page only: the page itself has no script.
_MEASURE = """<script>
window.addEventListener("load", () => {
  const widths = [...document.images].map(i => i.complete ? i.naturalWidth : 0);
  document.body.setAttribute("data-widths", widths.join(","));
  document.body.setAttribute("data-height", document.body.scrollHeight);
});
</script></body>"""


def test_report_html_renders_with_its_figures_in_chromium(tagged_run, tmp_path):
    browser = _browser()
    _, out = tagged_run
    page = (out / "report.html").read_text()
    probe = tmp_path / "probe.html"
    probe.write_text(page.replace("</body>", _MEASURE))
    dom = _headless(browser, "--dump-dom", probe.as_uri()).stdout
    widths = re.search(r'data-widths="([^"]*)"', dom)
    assert widths, dom[-500:]
    widths = [int(w) for w in widths.group(1).split(",")]
    assert len(widths) == 4 and all(w >= 300 for w in widths)  # decoded PNGs
    assert int(re.search(r'data-height="(\d+)"', dom).group(1)) > 2000

    shot = tmp_path / "shot.png"
    _headless(
        browser, f"--screenshot={shot}", "--window-size=1000,1400",
        (out / "report.html").as_uri(),
    )  # fmt: skip
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.image

    pixels = matplotlib.image.imread(shot)[..., :3]
    ink = (pixels.mean(axis=2) < 0.6).mean()  # text, tables and lines
    assert pixels.shape[:2] == (1400, 1000)
    assert 0.01 < ink < 0.5


def test_with_dev_the_rows_and_tags_come_from_the_dev_file(tagged_csv, tmp_path):
    out = tmp_path / "report"
    result = run_in_process(
        "recipe", "--data", tagged_csv, "--dev", tagged_csv, "--target", "label",
        "--tags", "blurry<b>", "--max-rounds", "1", "--max-time", "20",
        "--out", out,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    file_lines = tagged_csv.read_text().split("\n")
    with open(out / "errors.csv", newline="") as handle:
        errors = list(csv.DictReader(handle))
    analysis = json.loads((out / "report.json").read_text())["error_analysis"]
    assert analysis["n_dev"] == 60 and len(errors) == analysis["n_errors"]
    blurry = sum(file_lines[int(e["line"]) - 1].split(",")[2] == "1" for e in errors)
    assert analysis["by_tag"]["blurry<b>"]["n_errors"] == blurry
    for error in errors:
        assert file_lines[int(error["line"]) - 1].split(",")[3] == error["true"]
