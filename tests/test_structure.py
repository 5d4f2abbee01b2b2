"""The house rules of the workflow's tree, checked on the tree itself: each question's rule
file stands on its own, every compute job is benchmarked and named, light rules say so themselves, the
library reads no output path, and resources are set once."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from conftest import REPO

RULES = REPO / "workflow" / "rules"
RULE_FILES = sorted(RULES.glob("*.smk"))


def rule_blocks(path: Path) -> dict[str, str]:
    """Each rule of a file by name: its text up to the next top-level statement."""
    text = path.read_text()
    return {m.group(1): m.group(0) for m in re.finditer(r"(?m)^rule (\w+):\n(?:(?: {4}.*)?\n)*", text)}


def top_level_names(path: Path) -> set[str]:
    text = path.read_text()
    return {a or b for a, b in re.findall(r"(?m)^([A-Za-z_]\w*) =|^def (\w+)", text)}


def test_rule_files_read_only_their_own_names_and_common_smk():
    defined = {path.name: top_level_names(path) for path in RULE_FILES}
    assert "SWEEP_JOBS" in defined["common.smk"] and "AUGMENTS" in defined["shift.smk"]  # the parse finds names
    for path in RULE_FILES:
        text = path.read_text()
        for other, names in defined.items():
            if other in (path.name, "common.smk"):
                continue
            used = sorted(n for n in names if re.search(rf"\b{n}\b", text))
            assert not used, (
                f"{path.name} reads {used} from {other}: move them to common.smk or pass them as rule outputs"
            )


def test_every_rule_is_either_a_benchmarked_compute_job_or_a_local_rule():
    seen = {}
    for path in RULE_FILES:
        text = path.read_text()
        for name, block in rule_blocks(path).items():
            seen[name] = path.name
            benchmarked, local = "\n    benchmark:" in block, "\n    localrule: True" in block
            assert benchmarked != local, (
                f"rule {name} ({path.name}): needs exactly one of benchmark: and localrule: True"
            )
            if benchmarked:  # named in the report's job table: registered in the rule's own file
                assert f"add_benchmarks(rules.{name}" in text, (
                    f"rule {name}: its file does not add_benchmarks(rules.{name}, ...)"
                )
    assert {"train_sweep", "plot_sweep", "select_classifier", "report"} <= set(seen)
    assert seen["plot_sweep"] == seen["train_sweep"] == "sweep.smk"  # figure rules beside the rules they plot
    assert seen["plot_shift"] == seen["evaluate_shift"] and seen["plot_generated"] == seen["generate_digits"]
    assert seen["report"] == "report.smk"


def test_no_separate_localrules_list():
    for path in [REPO / "Snakefile", *RULE_FILES]:
        assert not re.search(r"(?m)^localrules:", path.read_text()), path.name


def test_the_library_parses_no_output_paths():
    """Rules hand the report what it needs by name; no library module spells an output folder or
    picks inputs by the suffix of their names."""
    for path in sorted((REPO / "mnistflow").glob("*.py")):
        text = path.read_text()
        for pattern in (r"results/", r"benchmarks/", r"/l2_", r"/rep", r'endswith\("_(figure|timing)"\)'):
            assert not re.search(pattern, text), f"mnistflow/{path.name} matches {pattern!r}"


def test_resources_are_set_in_the_rules_and_the_profiles_hold_site_settings_only():
    """Every rule sets its own memory and run time; the shipped profiles set no per-rule resources and
    no default memory or run time (a site may add set-resources to override a rule)."""
    for profile in sorted((REPO / "profiles").glob("*/config.yaml")):
        settings = yaml.safe_load(profile.read_text())
        assert "set-resources" not in settings, f"{profile}: per-rule resources belong in the rule"
        defaults = settings.get("default-resources", {})
        assert not {"mem_mb", "runtime"} & set(defaults), f"{profile}: every rule sets its own mem_mb and runtime"
    for path in RULE_FILES:
        for name, block in rule_blocks(path).items():
            assert "\n    resources:" in block, f"rule {name} ({path.name}) sets no resources"


def test_the_readme_map_of_questions_matches_the_rule_files():
    """README's 'where each question lives' table names, per rule file, exactly the scripts its rules run."""
    text = (REPO / "README.md").read_text()
    from mnistflow.config import library_modules

    rows = re.findall(r"(?m)^\| [^|]+ \| `(\w+\.smk)` \| ([^|]+) \| ([^|]+) \| ([^|]+) \|", text)
    assert len(rows) >= 8
    assert {name for name, *_ in rows} == {p.name for p in RULE_FILES} - {"common.smk"}
    for name, scripts, library, templates in rows:
        scripts = {s.strip() for s in scripts.split(",")}
        used = set(re.findall(r'scripts/(\w+)\.py"', (RULES / name).read_text()))
        assert scripts == used, f"README lists {sorted(scripts)} for {name}; its rules run {sorted(used)}"
        reached = set().union(*(library_modules(REPO / "scripts" / f"{s}.py") for s in used))
        modules = set(re.findall(r"`(\w+)`", library))
        assert modules and modules <= reached, (
            f"{name}: README names {sorted(modules - reached)}, which its scripts never import"
        )
        for template in re.findall(r"`?(\w+)(?:\.html\.j2)?`?", templates):
            assert (REPO / "workflow/report/sections" / f"{template}.html.j2").is_file(), (name, template)


def test_the_report_is_the_default_target(tmp_path):
    """`snakemake` with no target builds the report (README: report is also the default target)."""
    from conftest import mnist_dir, run_snakemake

    result = run_snakemake(
        "-n", "--configfile", str(REPO / "config" / "smoke.yaml"), workdir=tmp_path, env={"MNIST_DIR": str(mnist_dir())}
    )
    assert re.search(r"(?m)^report\s+1$", result.stdout), result.stdout[-2000:]


def test_every_augmentation_setting_has_words_in_the_report():
    from mnistflow import config, report

    assert set(report.AUGMENTATION_WORDS) == set(config.AUGMENTATION_KEYS)


def test_make_report_cores_are_stated_once_for_the_tools():
    """The cores of make report are config.REPORT_CORES alone: the Makefile states no number of its own,
    and the tools add them to a command line that names none."""
    from mnistflow import config, plan

    makefile = (REPO / "Makefile").read_text()
    assert re.search(r"(?m)^CORES\s*\?=\s*$", makefile), "the Makefile's CORES has a default of its own"
    assert plan.with_cores(["report"], config.REPORT_CORES) == ["--cores", str(config.REPORT_CORES), "report"]
    assert plan.with_cores(["report", "--cores", "2"], 4) == ["report", "--cores", "2"]
    assert plan.with_cores(["-c", "1"], 4) == ["-c", "1"] and plan.with_cores(["--cores=3"], 4) == ["--cores=3"]


#: The longest a function of the library or of a rule script may be, in lines from its `def` to its end
#: (docstring included), unless LONG_FUNCTIONS names it with the reason.
MAX_FUNCTION_LINES = 60

#: Functions allowed to run longer, each with its reason.
LONG_FUNCTIONS: dict[str, str] = {}


def long_functions(paths) -> dict[str, int]:
    """Every function (methods and nested ones included) over MAX_FUNCTION_LINES in the files `paths`,
    as "module.function" -> lines."""
    import ast

    found = {}
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    found[f"{path.stem}.{node.name}"] = lines
    return found


def test_library_and_script_functions_fit_on_a_screen(tmp_path):
    """No function of mnistflow/ or scripts/ over 60 lines but those LONG_FUNCTIONS names with a reason; the
    check finds a long function where there is one."""
    files = sorted((REPO / "mnistflow").glob("*.py")) + sorted((REPO / "scripts").glob("*.py"))
    found = long_functions(files)
    assert set(found) <= set(LONG_FUNCTIONS), {k: v for k, v in found.items() if k not in LONG_FUNCTIONS}
    assert all(reason.strip() for reason in LONG_FUNCTIONS.values())
    stale = set(LONG_FUNCTIONS) - set(found)
    assert not stale, f"allowed to be long but no longer are: {stale}"
    long = tmp_path / "long.py"
    long.write_text("def f():\n" + "    x = 1\n" * MAX_FUNCTION_LINES + "\n\ndef g():\n    return 1\n")
    assert long_functions([long]) == {"long.f": MAX_FUNCTION_LINES + 1}
