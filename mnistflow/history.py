"""Build history: what each report build reported, and what changed between two builds.

Every `report` build saves a snapshot (headline numbers with their standard errors, every claim's
verdict, the config, the commit, the data checksums, each report input's content digest and each
job's time) as a new file in the history folder; nothing there is ever overwritten. Two snapshots
compare into rows of (before, after, difference, verdict) and the causes: settings, code, data,
jobs that reran. The report's "What changed" section and `make diff` print the same rows.

The noise rule: a difference is "beyond noise" when its 95% interval excludes 0. The interval
combines the two builds' standard errors as independent (sqrt(se1^2 + se2^2)), with Student's t
on Welch-Satterthwaite degrees of freedom when a standard error comes from replicates, and the
normal quantile when both are binomial test-set errors. Builds that share seeds and test images
are positively correlated, so this interval is wider than the true one: conservative.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import math
import os
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
from scipy import stats

from . import files
from . import inference as st

SCHEMA = 1

#: What each verdict of a compared number says, in the report and in the terminal diff.
VERDICT_WORDS = {
    "unchanged": "unchanged",
    "within_noise": "within noise",
    "beyond_noise": "beyond noise",
    "changed": "changed (no noise estimate)",
    "new": "new",
    "removed": "removed",
}

RULE = (
    f"A difference is beyond noise when its {st.LEVEL:.0%} interval excludes 0. The interval combines the two builds' "
    "standard errors as if independent: for a mean over replicates, the replicates' spread (Student's t, "
    "Welch-Satterthwaite degrees of freedom); for a single run, only the binomial sampling error of its test or "
    "validation images (normal quantile), so run-to-run training variation is not in it and a single run's "
    "'beyond noise' does not show that a setting helps; for per-image quantities, their per-image spread. "
    "With about twenty numbers compared at 95%, about one may come out beyond noise by chance. "
    "Counts, chosen settings and levels, and single-run losses have no noise estimate: they are only marked "
    "changed or unchanged, as is a number measured at a different place in the two builds (the level of the "
    "largest denoising gain)."
)


# -- headline numbers --------------------------------------------------------------------------------


def _headline(
    key: str, section: str, label: str, value, kind: str, se: float | None = None, df: float | None = None, at=None
) -> dict:
    if isinstance(value, (np.floating, np.integer)):
        value = value.item()
    return {
        "key": key,
        "section": section,
        "label": label,
        "value": value,
        "kind": kind,
        "se": None if se is None else float(se),
        "df": None if df is None or math.isinf(df) else float(df),
        "at": at,
    }


def _binomial_se(p: float, n: int) -> float:
    return math.sqrt(max(p * (1 - p), 0.0) / n)


def _mean_se(values: list[float], n_test: int) -> tuple[float, float | None]:
    """Standard error of a mean over replicates (df n - 1); one replicate: its test-set binomial error."""
    if len(values) >= 2:
        return float(stats.sem(values)), len(values) - 1
    return _binomial_se(values[0], n_test), None


def _data_headlines(data: Mapping) -> list[dict]:
    """Question 1: the number of images in each split."""
    return [
        _headline(f"q1.{split}_images", "1", f"{word} images", int(data["splits"][split]["count"]), "count")
        for split, word in (("train", "training"), ("val", "validation"), ("test", "test"))
    ]


def _dense_headlines(dense: Mapping, n_val: int, n_test: int) -> list[dict]:
    """Questions 2A and 2C: the dense network's size, and its validation and test accuracy."""
    out = [
        _headline(
            "q2a.parameters",
            "2A",
            f"parameters of the {dense['name']} network",
            int(dense["arch"]["total_params"]),
            "count",
        )
    ]
    final_val, test = dense["train"]["final_val"], dense["train"]["test"]["accuracy"]
    out.append(
        _headline(
            "q2c.val_accuracy",
            "2C",
            f"{dense['name']}: validation accuracy after the last epoch",
            final_val,
            "accuracy",
            _binomial_se(final_val, n_val),
        )
    )
    out.append(
        _headline(
            "q2c.test_accuracy", "2C", f"{dense['name']}: test accuracy", test, "accuracy", _binomial_se(test, n_test)
        )
    )
    return out


def _sweep_headlines(sweep: Mapping, n_test: int) -> list[dict]:
    """Question 2D: the L2 factor chosen on validation, and the test accuracy at it."""
    best = sweep["best"]
    out = [_headline("q2d.factor", "2D", "L2 factor chosen on validation", best["factor_label"], "label")]
    se, df = _mean_se(sweep["best_test_values"], n_test)
    out.append(
        _headline(
            "q2d.test_accuracy",
            "2D",
            f"{sweep['name']}: test accuracy at the chosen factor (mean of {len(sweep['best_test_values'])})",
            float(np.mean(sweep["best_test_values"])),
            "accuracy",
            se,
            df,
        )
    )
    return out


def _cnn_headlines(cnn: Mapping, n_test: int) -> list[dict]:
    """Question 3A: the CNN's test accuracy."""
    values = cnn["ours"]["test"]["values"]
    se, df = _mean_se(values, n_test)
    return [
        _headline(
            "q3a.test_accuracy",
            "3A",
            f"CNN test accuracy (mean of {len(values)})",
            float(np.mean(values)),
            "accuracy",
            se,
            df,
        )
    ]


def _shift_headlines(robustness: Iterable) -> list[dict]:
    """Question 3B: the accuracy each model loses at each tested shift."""
    out = []
    for claim in robustness:
        shift = claim.values["shift"]
        for model, word in (("dense", "dense network"), ("cnn", "CNN")):
            out.append(
                _headline(
                    f"q3b.{model}_loss_{shift}px",
                    "3B",
                    f"{word}: accuracy lost at {shift}\u00a0px",
                    claim.values[f"{model}_loss"],
                    "points",
                    claim.values[f"{model}_loss_se"],
                    claim.values[f"{model}_loss_df"],
                )
            )
    return out


def _autoencoder_headlines(ae: Mapping) -> list[dict]:
    """Question 4A: the autoencoder's validation and test loss."""
    return [
        _headline(
            "q4a.val_loss", "4A", "autoencoder validation loss after the last epoch", ae["final_val_loss"], "loss"
        ),
        _headline("q4a.test_loss", "4A", "autoencoder test loss", ae["metrics"]["test"]["loss"], "loss"),
    ]


def _noise_level_headlines(claims: Mapping) -> list[dict]:
    """Question 4B: the first noise levels at which the classifier, then denoising, fail."""
    criterion = f"{claims['noisy_below_criterion'].values['criterion']:.0%} accuracy"
    out = []
    for name, label in (
        ("noisy_below_criterion", f"first noise level where the classifier falls below {criterion} on noisy digits"),
        (
            "denoised_below_criterion",
            f"first noise level where the classifier falls below {criterion} on denoised digits",
        ),
        ("denoising_fails", "first noise level where denoising is not measurably better than the mean image"),
    ):
        claim = claims[name]
        out.append(
            _headline(
                f"q4b.{name}", "4B", label, "none" if claim.verdict == "never" else claim.values["level"], "level"
            )
        )
    return out


def _denoising_gain_headlines(ae: Mapping, claims: Mapping) -> list[dict]:
    """Question 4C: the largest accuracy gain from denoising, and the noise level where it is."""
    helps = claims["denoising_helps"].values
    gain = next(g for g in ae["levels"] if float(g["level"]) == float(helps["max_gain_level"]))["gain"]
    gain_se = (
        (gain["interval"].high - gain["interval"].low) / 2 / float(stats.t.ppf(0.5 + st.LEVEL / 2, gain["images"] - 1))
    )
    return [
        _headline(
            "q4c.max_gain",
            "4C",
            "largest accuracy gain from denoising",
            helps["max_gain"],
            "points",
            gain_se,
            gain["images"] - 1,
            at=helps["max_gain_level"],
        ),
        _headline("q4c.max_gain_level", "4C", "noise level of the largest gain", helps["max_gain_level"], "level"),
    ]


def _generation_headlines(ae: Mapping) -> list[dict]:
    """Question 4D: the share of generated digits recognised as their class."""
    recognised = ae["scores"]["recognised"]
    return [
        _headline(
            "q4d.recognised",
            "4D",
            "generated digits recognised as their class",
            recognised,
            "accuracy",
            _binomial_se(recognised, ae["generated"]),
        )
    ]


def headlines(context: Mapping) -> list[dict]:
    """The report's headline numbers (those of its summary), each with its standard error where the
    report has a noise estimate for it."""
    data, dense, sweep, cnn, ae, claims = (context[k] for k in ("data", "dense", "sweep", "cnn", "ae", "claims"))
    n_val, n_test = int(data["splits"]["val"]["count"]), int(data["splits"]["test"]["count"])
    return [
        *_data_headlines(data),
        *_dense_headlines(dense, n_val, n_test),
        *_sweep_headlines(sweep, n_test),
        *_cnn_headlines(cnn, n_test),
        *_shift_headlines(context["complexity"]["robustness"]),
        *_autoencoder_headlines(ae),
        *_noise_level_headlines(claims),
        *_denoising_gain_headlines(ae, claims),
        *_generation_headlines(ae),
    ]


# -- snapshots ---------------------------------------------------------------------------------------


def file_digest(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def input_record(inputs: Mapping[str, str | list[str]]) -> dict:
    """Each report input (by its name in the report rule, with an index for lists): content digest and
    modification time, which tell a reran job from one that changed its output."""
    out = {}
    for name, value in inputs.items():
        if name == "benchmarks":  # job times: compared as jobs, not as report inputs
            continue
        paths = [value] if isinstance(value, (str, os.PathLike)) else list(value)
        for i, path in enumerate(paths):
            key = name if len(paths) == 1 else f"{name}[{i}]"
            out[key] = {"sha256": file_digest(path), "mtime": os.path.getmtime(path)}
    return out


def uncommitted(repo: str | os.PathLike) -> dict:
    """The uncommitted changes to tracked files outside config/ (settings are compared as settings):
    their file names and a digest of their content (empty when there are none, None outside git)."""

    def git(*args):
        return subprocess.run(
            ["git", "-C", os.fspath(repo), *args, "--", ".", ":(exclude)config"], capture_output=True, check=True
        ).stdout

    try:
        diff, names = git("diff", "HEAD"), git("diff", "--name-only", "HEAD").decode().split()
    except (subprocess.CalledProcessError, FileNotFoundError):
        return {"tree_digest": None, "uncommitted_files": []}
    return {"tree_digest": hashlib.sha256(diff).hexdigest()[:16] if diff else "", "uncommitted_files": names}


def snapshot(context: Mapping, inputs: Mapping, *, repo: str | os.PathLike, now: _dt.datetime | None = None) -> dict:
    """What this build reports, and what it was made from."""
    prov = context["provenance"]
    now = now or _dt.datetime.now(_dt.UTC)
    return {
        "schema": SCHEMA,
        "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "git": {**prov["git"], **uncommitted(repo)},
        "config": context["config"],
        "data_sha256": dict(prov["data"].get("sha256", {})),
        "headlines": headlines(context),
        "verdicts": {name: claim.verdict for name, claim in context["claims"].items()},
        "jobs": [{k: j[k] for k in ("job", "seconds", "finished") if k in j} for j in prov["jobs"]],
        "job_seconds": prov["job_seconds"],
        "inputs": input_record(inputs),
    }


def save(directory: str | os.PathLike, snap: dict) -> Path:
    """Write a snapshot as a new file (its time in the name; never replaces an existing file)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    stem = snap["time"].replace(":", "-")
    path, n = directory / f"{stem}.json", 1
    while path.exists():
        n += 1
        path = directory / f"{stem}-{n}.json"
    files.write_json(path, snap)
    return path


def snapshots(directory: str | os.PathLike) -> list[Path]:
    """The snapshots of a history folder, oldest first."""
    directory = Path(directory)
    if not directory.is_dir():
        return []

    def order(path: Path):  # by build time; builds in the same second by the counter save() appended
        counter = path.stem.rsplit("-", 1)[-1] if path.stem.count("-") > 4 else "1"
        return json.loads(path.read_text()).get("time", ""), int(counter) if counter.isdigit() else 1

    return sorted(directory.glob("*.json"), key=order)


def load(path: str | os.PathLike) -> dict:
    snap = json.loads(Path(path).read_text())
    if snap.get("schema") != SCHEMA:
        raise ValueError(f"{path}: not a build snapshot of schema {SCHEMA}")
    snap["file"] = str(path)
    return snap


def latest(directory: str | os.PathLike) -> dict | None:
    found = snapshots(directory)
    return load(found[-1]) if found else None


# -- comparison --------------------------------------------------------------------------------------


def _format(kind: str, x: float, sign: str = "") -> str:
    """A number as the report prints it: accuracies and losses to 4 places, points, counts, levels."""
    if kind == "points":
        return f"{100 * x:{sign}.2f}\u00a0pts"
    if kind == "count":
        return f"{int(x):{sign},}"
    if kind == "level":
        return f"{x:{sign}g}"
    return f"{x:{sign}.4f}"


def format_value(kind: str, value) -> str:
    if value is None:
        return "–"
    return value if isinstance(value, str) else _format(kind, value)


def format_difference(kind: str, diff: float | None) -> str:
    return "" if diff is None else _format(kind, diff, "+")


def difference_interval(before: dict, after: dict) -> tuple[float, float] | None:
    """95% interval of after - before from the two standard errors (None without both)."""
    if before["se"] is None or after["se"] is None:
        return None
    var1, var2 = before["se"] ** 2, after["se"] ** 2
    if var1 + var2 == 0:
        return None
    terms = [(v, d) for v, d in ((var1, before["df"]), (var2, after["df"])) if d is not None and v > 0]
    if terms:  # Welch-Satterthwaite; a binomial term has no degrees of freedom to lose
        df = (var1 + var2) ** 2 / sum(v**2 / d for v, d in terms)
        quantile = float(stats.t.ppf(0.5 + st.LEVEL / 2, df))
    else:
        quantile = float(stats.norm.ppf(0.5 + st.LEVEL / 2))
    d, half = after["value"] - before["value"], quantile * math.sqrt(var1 + var2)
    return d - half, d + half


def compare_number(before: dict | None, after: dict | None) -> dict:
    """One headline number of two builds: values, difference, its interval, and the verdict."""
    ref = after or before
    row = {
        "key": ref["key"],
        "section": ref["section"],
        "label": ref["label"],
        "kind": ref["kind"],
        "before": None if before is None else before["value"],
        "after": None if after is None else after["value"],
        "difference": None,
        "interval": None,
    }
    if before is None or after is None:
        row["verdict"] = "new" if before is None else "removed"
    elif before["value"] == after["value"]:
        row["verdict"] = "unchanged"
        if not isinstance(after["value"], str):
            row["difference"] = 0
    elif isinstance(after["value"], str) or isinstance(before["value"], str):
        row["verdict"] = "changed"
    else:
        row["difference"] = after["value"] - before["value"]
        # measured at different places (e.g. the largest gain at another noise level): not one quantity
        interval = difference_interval(before, after) if before.get("at") == after.get("at") else None
        row["interval"] = interval
        row["verdict"] = (
            "changed" if interval is None else ("within_noise" if interval[0] <= 0 <= interval[1] else "beyond_noise")
        )
    row["before_text"] = format_value(row["kind"], row["before"])
    row["after_text"] = format_value(row["kind"], row["after"])
    row["difference_text"] = format_difference(row["kind"], row["difference"])
    row["interval_text"] = (
        ""
        if row["interval"] is None
        else f"[{format_difference(row['kind'], row['interval'][0])}, "
        f"{format_difference(row['kind'], row['interval'][1])}]"
    )
    row["verdict_text"] = VERDICT_WORDS[row["verdict"]]
    return row


def flatten(config: dict, prefix: str = "") -> dict:
    """Nested settings as dotted keys (lists and empty mappings are values)."""
    out = {}
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.update(flatten(value, name + "."))
        else:
            out[name] = value
    return out


def config_diff(before: dict, after: dict) -> list[dict]:
    a, b = flatten(before), flatten(after)
    return [
        {
            "key": key,
            "before": json.dumps(a.get(key)) if key in a else "(absent)",
            "after": json.dumps(b.get(key)) if key in b else "(absent)",
        }
        for key in sorted(set(a) | set(b))
        if a.get(key, ...) != b.get(key, ...)
    ]


def code_diff(before: dict, after: dict, repo: str | os.PathLike) -> dict:
    """Commits and files between two builds' commits, and their uncommitted changes."""
    c1, c2 = before.get("commit"), after.get("commit")
    out = {
        "before": c1,
        "after": c2,
        "same_commit": c1 == c2,
        "commits": [],
        "files": [],
        "known": True,
        "dirty_before": bool(before.get("dirty")),
        "dirty_after": bool(after.get("dirty")),
        "uncommitted_changed": before.get("tree_digest") != after.get("tree_digest"),
        "uncommitted_files": sorted(set(before.get("uncommitted_files", [])) | set(after.get("uncommitted_files", []))),
    }
    if c1 and c2 and c1 != c2:

        def git(*args):
            return subprocess.run(
                ["git", "-C", os.fspath(repo), *args], capture_output=True, text=True, check=True
            ).stdout

        try:
            out["commits"] = [line for line in git("log", "--format=%h %s", f"{c1}..{c2}").splitlines() if line]
            out["files"] = [line for line in git("diff", "--name-only", c1, c2).splitlines() if line]
        except (subprocess.CalledProcessError, FileNotFoundError):
            out["known"] = False
    return out


def _headline_rows(before: dict, after: dict) -> list[dict]:
    """One compared row per headline number of either build: the later build's order, then those it dropped."""
    old = {h["key"]: h for h in before["headlines"]}
    new = {h["key"]: h for h in after["headlines"]}
    keys = list(new) + [k for k in old if k not in new]
    return [compare_number(old.get(k), new.get(k)) for k in keys]


def _nothing_changed(changes: dict) -> bool:
    """Whether a comparison found no moved number, no cause and no changed verdict."""
    code = changes["code"]
    return not (
        changes["moved"]
        or changes["settings"]
        or changes["data"]
        or changes["reran"]
        or changes["new_jobs"]
        or changes["removed_jobs"]
        or changes["changed_inputs"]
        or changes["remade_inputs"]
        or changes["verdicts"]
        or not code["same_commit"]
        or code["uncommitted_changed"]
    )


def compare(before: dict | None, after: dict, repo: str | os.PathLike) -> dict:
    """Everything the changes section shows; `before` None for the first build in the history."""
    if before is None:
        return {"first": True, "after_time": after["time"], "history_dir": None}
    rows = _headline_rows(before, after)
    old_jobs = {j["job"]: j for j in before["jobs"]}
    new_jobs = {j["job"]: j for j in after["jobs"]}
    reran = sorted(j for j in new_jobs if j in old_jobs and new_jobs[j].get("finished") != old_jobs[j].get("finished"))
    old_in, new_in = before.get("inputs", {}), after.get("inputs", {})
    changed_inputs = sorted(k for k in new_in if k in old_in and new_in[k]["sha256"] != old_in[k]["sha256"])
    remade_inputs = sorted(k for k in new_in if k in old_in and new_in[k]["mtime"] != old_in[k]["mtime"])
    verdicts = [
        {"claim": name, "before": before["verdicts"].get(name, "(absent)"), "after": verdict}
        for name, verdict in after["verdicts"].items()
        if before["verdicts"].get(name) != verdict
    ]
    data = sorted(
        k
        for k in set(before["data_sha256"]) | set(after["data_sha256"])
        if before["data_sha256"].get(k) != after["data_sha256"].get(k)
    )
    out = {
        "first": False,
        "before_time": before["time"],
        "after_time": after["time"],
        "before_file": Path(before["file"]).name if before.get("file") else None,
        "rows": rows,
        "moved": [r for r in rows if r["verdict"] != "unchanged"],
        "beyond": [r for r in rows if r["verdict"] == "beyond_noise"],
        "within": [r for r in rows if r["verdict"] == "within_noise"],
        "without_noise": [r for r in rows if r["verdict"] in ("changed", "new", "removed")],
        "history_dir": None,
        "settings": config_diff(before["config"], after["config"]),
        "code": code_diff(before["git"], after["git"], repo),
        "data": data,
        "reran": reran,
        "new_jobs": sorted(set(new_jobs) - set(old_jobs)),
        "removed_jobs": sorted(set(old_jobs) - set(new_jobs)),
        "changed_inputs": changed_inputs,
        "remade_inputs": remade_inputs,
        "same_inputs": [k for k in remade_inputs if k not in changed_inputs],
        "verdicts": verdicts,
        "rule": RULE,
    }
    out["nothing_changed"] = _nothing_changed(out)
    return out


def _code_line(code: dict) -> str:
    """What the comparison says about the code of the two builds."""
    if not code["after"]:
        return "Code: not in a git repository; code changes are not tracked"
    if code["same_commit"]:
        return f"Code: the same commit {str(code['after'])[:10]}" + (
            f" (uncommitted changes differ: {', '.join(code['uncommitted_files']) or 'files not recorded'})"
            if code["uncommitted_changed"]
            else ""
        )
    unknown = "unknown: a commit is not in this repository"
    return (
        f"Code: {str(code['before'])[:10]} -> {str(code['after'])[:10]}, {len(code['commits'])} commit(s), "
        f"files: {', '.join(code['files']) or (unknown if not code['known'] else 'none')}"
    )


def _cause_lines(changes: dict) -> list[str]:
    """The lines under the table: settings, code, data, jobs, report inputs and verdicts that changed."""
    lines = [
        "Settings changed: "
        + (
            ", ".join(f"`{s['key']}` {s['before']} -> {s['after']}" for s in changes["settings"])
            if changes["settings"]
            else "none"
        )
    ]
    lines.append(_code_line(changes["code"]))
    lines.append("Data checksums changed: " + (", ".join(changes["data"]) or "none"))
    lines.append(
        "Training and evaluation jobs that reran: "
        + (", ".join(changes["reran"]) or "none")
        + ("; new jobs: " + ", ".join(changes["new_jobs"]) if changes["new_jobs"] else "")
        + ("; jobs gone: " + ", ".join(changes["removed_jobs"]) if changes["removed_jobs"] else "")
    )
    same = changes["same_inputs"]
    lines.append(
        "Report inputs remade with different content: "
        + (", ".join(changes["changed_inputs"]) or "none")
        + "; remade with the same content: "
        + (", ".join(same) or "none")
    )
    lines.append(
        "Verdicts changed: "
        + (", ".join(f"{v['claim']} {v['before']} -> {v['after']}" for v in changes["verdicts"]) or "none")
    )
    return lines


def markdown(changes: dict) -> str:
    """The comparison as Markdown, in the manner of `dvc metrics diff`: the same rows as the report."""
    if changes["first"]:
        return f"Only one build in the history ({changes['after_time']}): nothing to compare.\n"
    lines = [f"Build {changes['after_time']} against {changes['before_time']}", ""]
    if changes["nothing_changed"]:
        lines += ["No changes: the same settings, code, data and numbers; no job reran.", ""]
    lines += [
        "| section | number | before | after | difference | 95% interval | verdict |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    lines += [
        f"| {r['section']} | {r['label']} | {r['before_text']} | {r['after_text']} | {r['difference_text']} | "
        f"{r['interval_text']} | {r['verdict_text']} |"
        for r in changes["rows"]
    ]
    lines += ["", RULE, ""]
    lines += _cause_lines(changes)
    return "\n".join(lines) + "\n"


def record(
    context: Mapping, inputs: Mapping, directory: str | os.PathLike, repo: str | os.PathLike
) -> tuple[dict, dict]:
    """This build's snapshot, and its comparison with the latest snapshot of the history folder."""
    snap = snapshot(context, inputs, repo=repo)
    changes = compare(latest(directory), snap, repo)
    changes["history_dir"] = str(directory)
    return snap, changes
