"""``report.html``: a run of ``sklearn-dnn recipe`` as one page (DESIGN §22).

The page is self-contained: inline CSS, the figures embedded as base64 PNG
data URIs, no script and no external request. It is built from
``report.json``'s fields; everything that comes from the data (file and
column names, labels) or the command line is escaped.
"""

import base64
import os
from html import escape

from .._formatting import percent
from ..diagnostics._error_analysis import share_noise
from ..diagnostics._noise import z_value

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 60em;
       color: #222; line-height: 1.4; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.6em;
     border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: right; }
th { background: #f2f2f2; } .text { text-align: left; }
pre { background: #f6f6f6; padding: 0.6em; white-space: pre-wrap;
      word-break: break-all; }
figure { margin: 1em 0; } img { max-width: 100%; border: 1px solid #ddd; }
.high { color: #b00; font-weight: bold; } .note { color: #555; }
"""

_GAPS = (
    ("bias", "avoidable_bias", "avoidable bias"),
    ("variance", "variance", "variance"),
    ("data_mismatch", "data_mismatch", "data mismatch"),
    ("dev_overfitting", "dev_overfitting", "dev overfitting"),
)


def write_report_html(folder, report):
    """Write the run's page as ``report.html`` in ``folder``, atomically."""
    fields = report.fields
    page = render(fields, lambda name: _read_figure(folder, name))
    with folder.open("report.html") as handle:
        handle.write(page)


def _read_figure(folder, name):
    """A figure the run wrote, as bytes; None if it cannot be read."""
    if not name or os.path.basename(name) != name:
        return None
    try:
        with open(folder.file(name), "rb") as handle:
            return handle.read()
    except OSError:
        return None


def render(fields, figure_bytes):
    """The page for a report's ``fields``; ``figure_bytes(name)`` reads a PNG."""
    show = _or_none(percent if fields.get("task") != "regression" else _four)
    data = fields.get("data", {})
    title = f"sklearn-dnn recipe: {data.get('name', '')}"
    sections = [
        f"<h1>{escape(title)}</h1>",
        _command(fields),
        _data_and_split(fields),
        _rounds(fields, show),
        _best_round(fields, show),
        _error_analysis(fields.get("error_analysis"), show),
        _figures(fields, figure_bytes),
        _versions(fields),
    ]
    body = "\n".join(section for section in sections if section)
    return (
        "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n"
        f"<title>{escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def _four(value):
    return f"{value:.4f}"


def _or_none(show):
    """``show``, with "-" for a value not measured (None)."""
    return lambda value: "-" if value is None else show(value)


def _row(tag, cells, text_columns):
    """One escaped table row of ``tag`` cells; text columns align left."""
    return (
        "<tr>"
        + "".join(
            f"<{tag} class='text'>{escape(str(cell))}</{tag}>"
            if j in text_columns
            else f"<{tag}>{escape(str(cell))}</{tag}>"
            for j, cell in enumerate(cells)
        )
        + "</tr>"
    )


def _table(header, rows, text_columns=()):
    """An HTML table (no header row when ``header`` is None); every cell is
    escaped."""
    lines = ["<table>"]
    if header is not None:
        lines.append(_row("th", header, text_columns))
    lines.extend(_row("td", row, text_columns) for row in rows)
    return "\n".join(lines) + "\n</table>"


def _command(fields):
    status = fields.get("status", "")
    runtime = fields.get("runtime_seconds")
    took = f", {runtime:g} s" if isinstance(runtime, int | float) else ""
    return (
        "<h2>Command line</h2>\n"
        f"<pre>{escape(str(fields.get('command_line', '')))}</pre>\n"
        f"<p>status: {escape(str(status))}{escape(took)}</p>"
    )


def _data_and_split(fields):
    data = fields.get("data", {})
    rows = [
        ("data", data.get("name", "")),
        ("examples", data.get("n_samples", "")),
        ("features", data.get("n_features", "")),
        ("task", f"{fields.get('task', '')} ({fields.get('task_reason', '')})"),
    ]
    if "classes" in data:
        rows.append(("classes", ", ".join(str(c) for c in data["classes"])))
    if data.get("dev_file"):
        rows.append(("dev file", data["dev_file"].get("name", "")))
    split = fields.get("split", {})
    parts = [_table(None, rows, text_columns=(0, 1))]
    parts.append(_table(list(split), [list(split.values())]))
    for name, check in fields.get("distribution_checks", {}).items():
        parts.append(f"<p>{escape(_distribution_text(name, check))}</p>")
    return "<h2>Data and split</h2>\n" + "\n".join(parts)


def _distribution_text(name, check):
    """A distribution check's line: its verdict and AUC, or why none ran."""
    if check.get("tested") is False or check.get("auc") is None:
        return str(check.get("note") or f"{name}: not tested")
    verdict = "same distribution" if check.get("same") else "DIFFERENT distributions"
    return f"{name}: {verdict} (domain-classifier AUC {check['auc']:.3f})"


def _noise(record, show):
    """Each gap of a diagnosis with its ± z standard errors, as text."""
    z = z_value(record.get("confidence", 0.95))
    parts = []
    for key, field, words in _GAPS:
        value = record.get(field)
        if value is None:
            continue
        se = record.get("gap_standard_errors", {}).get(key)
        noise = "" if se is None else f" ± {show(z * se)}"
        parts.append(f"{words} {show(value)}{noise}")
    return ", ".join(parts)


def _verdict(record):
    uncertain = record.get("uncertain") or []
    text = record.get("case", "")
    return text + (f" (uncertain: {', '.join(uncertain)})" if uncertain else "")


def _rounds(fields, show):
    rounds = fields.get("rounds") or []
    if not rounds:
        return ""
    splits = ["train_error", "train_dev_error", "dev_error"]
    if all(entry.get("train_dev_error") is None for entry in rounds):
        splits.remove("train_dev_error")  # one source: no train-dev set
    rows = [
        (
            entry.get("round", k + 1),
            *(show(entry.get(split)) for split in splits),
            _verdict(entry),
            _noise(entry, show),
            entry.get("action", ""),
        )
        for k, entry in enumerate(rounds)
    ]
    names = [split[: -len("_error")].replace("_", "-") for split in splits]
    header = ("round", *names, "verdict", "gaps ± noise")
    text = len(header) - 2, len(header) - 1, len(header)
    confidence = fields.get("confidence", 0.95)
    return (
        "<h2>Rounds</h2>\n"
        f"<p class='note'>Noise: {confidence:.0%} intervals of each gap, from "
        "the sizes of the sets it is measured on; a gap is high only beyond "
        "its noise and the tolerance "
        f"{escape(str(fields.get('tolerance', '')))}.</p>\n"
        + _baseline(fields, show)
        + _table((*header, "next"), rows, text_columns=text)
    )


def _baseline(fields, show):
    """The baseline error the bias is measured against, and where it is from."""
    baseline = fields.get("baseline")
    if not isinstance(baseline, dict) or baseline.get("error") is None:
        return ""
    source = baseline.get("source", "given")
    return (
        f"<p>Baseline error {escape(show(baseline['error']))} "
        f"({escape(str(source))}).</p>\n"
    )


def _best_round(fields, show):
    best = fields.get("best_round")
    if not best:
        return ""
    diagnosis = fields.get("diagnosis", {})
    errors = [
        (name.replace("_error", "").replace("_", "-"), show(value))
        for name, value in best.items()
        if name.endswith("_error") and value is not None
    ]
    scores = fields.get("final_scores", {})
    final = ", ".join(f"{k.replace('_', ' ')} {v:.4g}" for k, v in scores.items())
    trained_on = (fields.get("final_model") or {}).get("trained_on", "")
    return (
        f"<h2>Best round: {escape(str(best.get('round')))}</h2>\n"
        + _table(("set", "error"), errors, text_columns=(0,))
        + f"\n<p><b>{escape(_verdict(diagnosis))}</b>: "
        f"{escape(_noise(diagnosis, show))}</p>\n"
        f"<p>Final model (the best round's settings refit on "
        f"{escape(str(trained_on))}): {escape(final)}</p>"
    )


def _error_analysis(record, show):
    if not record:
        return ""
    head = (
        f"{record['n_errors']} errors in {record['n_dev']} dev examples, dev "
        f"error {show(record['dev_error'])}"
    )
    if record.get("task") == "regression":
        head = (
            f"the {record['n_errors']} worst-predicted of {record['n_dev']} dev "
            f"examples; dev error 1 - R^2 = {show(record['dev_error'])}"
        )
    parts = [
        "<h2>Error analysis</h2>",
        f"<p>{escape(head)}. Model: {escape(record.get('model', ''))}. The "
        "ceiling is the dev error if every error of that row were fixed: the "
        "lowest ceiling is the most promising cause.</p>",
    ]
    for kind in ("by_tag", "by_class"):
        records = record.get(kind) or {}
        if records:
            rows = [
                (
                    name,
                    r["n_errors"],
                    f"{100 * r['share']:.1f}% ± "
                    f"{100 * share_noise(r['share'], record['n_errors']):.1f}%",
                    _rate(r["error_rate"]),
                    show(r["ceiling"]),
                )
                for name, r in records.items()
            ]
            header = (kind.replace("_", " "), "errors", "share ± 95%", "error rate")
            parts.append(_table((*header, "ceiling"), rows, text_columns=(0,)))
    first = record.get("first_errors") or []
    if first:
        parts.append(
            f"<p>The first {len(first)} errors (all in "
            f"{escape(record.get('errors_file', 'errors.csv'))}; "
            f"{escape(record.get('rows', ''))}):</p>"
        )
        parts.append(_table(list(first[0]), [list(r.values()) for r in first]))
    return "\n".join(parts)


def _rate(value):
    if value is None or value != value:  # NaN: no example has that tag
        return "n/a"
    return f"{100 * value:.1f}%"


def _figures(fields, figure_bytes):
    names = dict(fields.get("figures") or {})
    analysis = fields.get("error_analysis") or {}
    if analysis.get("figure"):
        names["error_analysis"] = analysis["figure"]
    parts = []
    for key, name in names.items():
        png = figure_bytes(name)
        if png is None:
            continue
        data = base64.b64encode(png).decode("ascii")
        caption = escape(key.replace("_", " "))
        parts.append(
            f"<figure><img src='data:image/png;base64,{data}' alt='{caption}'>"
            f"<figcaption>{caption} ({escape(name)})</figcaption></figure>"
        )
    return "<h2>Figures</h2>\n" + "\n".join(parts) if parts else ""


def _versions(fields):
    versions = fields.get("versions", {})
    text = ", ".join(f"{k} {v}" for k, v in versions.items())
    return f"<p class='note'>{escape(text)}</p>"
