"""The whole workflow on the smoke configuration, and the report checked against its metrics files."""

import html as html_lib
import json
import re
import shutil

import markupsafe
import numpy as np
import pytest
import synthetic
from conftest import REPO, mnist_dir, run_snakemake, smoke

pytestmark = pytest.mark.workflow
SMOKE = ["--configfile", str(REPO / "config" / "smoke.yaml")]
# no data directory and every download sent to a closed port
OFFLINE = {
    "MNIST_DIR": "",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "HTTP_PROXY": "http://127.0.0.1:9",
    "https_proxy": "http://127.0.0.1:9",
    "http_proxy": "http://127.0.0.1:9",
}
# every section of a first build ("changes" appears from the second build on)
SECTIONS = [
    "summary",
    "q1",
    "q2a",
    "q2b",
    "q2c",
    "q2d",
    "q3a",
    "q3b",
    "q4a",
    "q4b",
    "q4c",
    "q4d",
    "sweep-curves",
    "hinton-study",
    "cnn-layers",
    "design-study",
    "cnn-errors",
    "shift-factors",
    "autoencoder-loss",
    "denoising-levels",
    "remedies",
    "generated-details",
    "rules",
    "provenance",
    "appendix",
]
#: The sections every build has, whatever studies its configuration turns off.
ALWAYS = [anchor for anchor in SECTIONS if anchor not in ("hinton-study", "design-study")]


def read(workdir, path):
    return json.loads((workdir / path).read_text())


def section(html, anchor):
    """The HTML of one section of the report, without the invisible verdict marks (macros/verdicts.html.j2)."""
    match = re.search(rf'<section id="{anchor}"[^>]*>(.*?)</section>', html, re.S)
    assert match, f"section {anchor} missing from the report"
    return re.sub(r'<span class="verdict"[^>]*></span>', "", match.group(1))


def planned_jobs(result):
    """Job counts from the stats table of a dry run."""
    out = result.stdout + result.stderr
    table = out.split("Job stats:")[1].split("total")[0] if "Job stats:" in out else ""
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\w+)\s+(\d+)$", table, re.M)}


def test_report_has_every_section(smoke_run):
    workdir, _, _ = smoke_run
    html = (workdir / "report" / "report.html").read_text()
    for anchor in SECTIONS:
        assert section(html, anchor).strip()
        assert f'href="#{anchor}"' in html
    assert "<math" in section(html, "q2b")
    assert "http://" not in html.replace("http://www.w3.org/1998/Math/MathML", "") and "https://" not in html
    assert 'src="data:image/' in html  # figures embedded


def test_report_numbers_equal_metrics(smoke_run):
    workdir, _, _ = smoke_run
    html = (workdir / "report" / "report.html").read_text()
    metrics = read(workdir, "results/dense/metrics.json")
    summary = read(workdir, "results/data/summary.json")
    q2c = section(html, "q2c")
    assert f"{metrics['test']['accuracy']:.4f}" in q2c
    assert f"{metrics['history']['val_accuracy'][-1]:.4f}" in q2c
    q2a = section(html, "q2a")
    assert f"{metrics['total_params']:,}" in q2a
    for layer in metrics["layers"]:
        assert f"<code>{layer['name']}</code>" in q2a and f"{layer['params']:,}" in q2a
    q1 = section(html, "q1")
    for name in ("train", "val", "test"):
        counts = summary["splits"][name]["class_counts"]
        assert "".join(f'<td class="num">{n:,}</td>' for n in counts) in q1
    assert f"{summary['splits']['train']['count']:,}" in q1
    assert "(2000, 28, 28, 1)" in q1 and "(2000,)" in q1 and "(2000, 10)" in q1
    assert f"{metrics['initial']['val_loss']:.4f}"[:5] in section(html, "q2b")
    info = read(workdir, "results/data/info.json")
    for digest in info["sha256"].values():
        assert digest in section(html, "provenance")


def test_outputs_and_logs(smoke_run):
    workdir, _, _ = smoke_run
    for path in [
        "results/data/mnist.npz",
        "results/dense/model.keras",
        "results/dense/timing.json",
        "results/benchmarks/train_dense.tsv",
        "results/figures/dense_accuracy.svg",
        "results/figures/examples.png",
    ]:
        assert (workdir / path).stat().st_size > 0, path
    log = (workdir / "logs" / "dense" / "train.log").read_text()
    assert "Epoch 2/2" in log and "test accuracy" in log
    assert read(workdir, "results/dense/metrics.json")["settings"]["training"]["epochs"] == 2


def test_second_run_does_nothing(smoke_run):
    workdir, repo, _ = smoke_run
    result = smoke(repo, workdir, "-n")
    assert "Nothing to be done" in result.stdout + result.stderr


def test_template_change_rerenders_only_the_report(smoke_run):
    workdir, repo, _ = smoke_run
    style = repo / "workflow" / "report" / "style.css"
    original = style.read_text()
    style.write_text(original + "\nbody { color: black; }\n")
    try:
        assert planned_jobs(smoke(repo, workdir, "-n")) == {"report": 1}
    finally:
        style.write_text(original)


@pytest.mark.parametrize(
    "override, expected",
    [
        # the dense net is a candidate "best classifier", so its change reaches the evaluations that use it (4C, 4D),
        # but no other model is retrained, and 3B (which uses the 2D network) does not rerun
        (
            "dense:\n  training:\n    epochs: 3\n",
            {
                "train_dense": 1,
                "plot_dense_history": 1,
                "select_classifier": 1,
                "evaluate_denoising": 1,
                "plot_denoising": 1,
                "generate_digits": 1,
                "plot_generated": 1,
                "report": 1,
            },
        ),
        ("denoising:\n  levels: [0.0, 0.3]\n", {"evaluate_denoising": 1, "plot_denoising": 1, "report": 1}),
        ("denoising:\n  recognisable_accuracy: 0.5\n", {"report": 1}),
        # a study's descriptions are the report's text: rewording them retrains nothing
        (
            "cnn:\n  design_study:\n    candidates:\n      longer: {description: reworded}\n"
            "hinton_study:\n  variants:\n    longer: {description: reworded}\n",
            {"report": 1},
        ),
        # the oneDNN cap reaches every TensorFlow job (the CNNs, the design study, the unaugmented CNN control, the
        # evaluations that run a CNN) and what depends on them; of the JAX jobs only the augmented dense control,
        # through the design choice
        (
            "onednn_max_isa: AVX2\n",
            {
                "train_cnn": 2,
                "train_cnn_earlier": 1,
                "train_cnn_candidate": 3,
                "select_cnn_design": 1,
                "train_cnn_unaugmented": 2,
                "train_noisy_classifier": 1,
                "aggregate_cnn": 1,
                "diagnose_cnn": 1,
                "plot_cnn_diagnostics": 1,
                "plot_cnn_history": 1,
                "select_classifier": 1,
                "evaluate_shift": 1,
                "plot_shift": 1,
                "evaluate_denoising": 1,
                "plot_denoising": 1,
                "generate_digits": 1,
                "plot_generated": 1,
                "report": 1,
                # the augmented dense control (JAX) takes the chosen design's augmentation: the design's choice file is
                # rewritten, so a dry run cannot know the control stays the same
                "train_dense_augmented": 2,
            },
        ),
    ],
)
def test_setting_change_reruns_only_what_depends_on_it(smoke_run, tmp_path, override, expected):
    workdir, repo, _ = smoke_run
    path = tmp_path / "override.yaml"
    path.write_text(override)
    assert planned_jobs(smoke(repo, workdir, str(path), "-n")) == expected


@pytest.mark.parametrize(
    "override, continues",
    [
        ("", True),
        ("sweep:\n  training:\n    optimizer: {name: adam, learning_rate: 0.001}\n", False),
        ("sweep:\n  training:\n    schedule: cosine\n", False),
    ],
)
def test_longer_variant_continues_the_2d_models_only_where_exact(tmp_path, override, continues):
    """Plain SGD at a constant rate: the longer variant loads the 2D models. Adam or a decaying schedule
    (optimizer state, a schedule tied to the run's length): it trains afresh with the 2D seed."""
    path = tmp_path / "override.yaml"
    path.write_text(override or "{}\n")
    result = run_snakemake(
        "report",
        "-n",
        "--forceall",
        "--cores",
        "2",
        "--configfile",
        str(REPO / "config" / "smoke.yaml"),
        str(path),
        workdir=tmp_path,
        env={"MNIST_DIR": str(mnist_dir())},
    )
    out = result.stdout + result.stderr
    block = out.split("output: results/hinton/longer/l2_chosen/rep0/model.keras")[0].rsplit("rule train_hinton:", 1)[1]
    assert ("results/sweep/l2_" in block) == continues, block
    assert "results/sweep/choice_with_decay.json" in block
    # replicate 2 is beyond the sweep's two: it continues the extra baseline run of the 2D settings
    block = out.split("output: results/hinton/longer/l2_chosen/rep2/model.keras")[0].rsplit("rule train_hinton:", 1)[1]
    assert ("results/hinton/2d_baseline/rep2/model.keras" in block) == continues, block


def test_the_same_data_from_another_source_reruns_nothing(smoke_run, tmp_path):
    """The data's identity is its content (the checksums), not its source: after a build from
    MNIST_DIR, the same build with the files in another directory, or with no directory at all (Keras'
    downloader, which must not be reached), plans nothing."""
    workdir, repo, _ = smoke_run
    copy = tmp_path / "mnist"
    shutil.copytree(mnist_dir(), copy)
    assert planned_jobs(smoke(repo, workdir, "-n", env_extra={"MNIST_DIR": str(copy)})) == {}
    result = smoke(repo, workdir, env_extra={**OFFLINE, "KERAS_HOME": str(tmp_path / "keras")})
    assert "Nothing to be done" in result.stdout + result.stderr
    assert (workdir / "results" / "data" / "mnist.npz").is_file()


def test_noise_levels_without_0_build_a_report(smoke_run, tmp_path):
    """A valid config whose noise levels leave out 0 (it used to crash the report job)."""
    workdir, repo, _ = smoke_run
    work = tmp_path / "work"
    shutil.copytree(workdir / "results", work / "results")
    # what Snakemake knows of them
    shutil.copytree(workdir / ".snakemake" / "metadata", work / ".snakemake" / "metadata")
    override = tmp_path / "levels.yaml"
    override.write_text("denoising:\n  levels: [0.1, 0.3, 0.6, 0.9]\n")
    assert planned_jobs(smoke(repo, work, str(override), "-n")) == {
        "evaluate_denoising": 1,
        "plot_denoising": 1,
        "report": 1,
    }
    smoke(repo, work, str(override))
    html = (work / "report" / "report.html").read_text()
    assert "were not among the tested levels" in section(html, "q4c")
    assert "0.1, 0.3, 0.6, 0.9" in section(html, "q4b")


def test_lint_has_no_findings(tmp_path):
    result = run_snakemake("--lint", workdir=tmp_path)
    assert "Congratulations, your workflow is in a good condition!" in result.stdout + result.stderr


def test_missing_data_directory(tmp_path):
    result = run_snakemake(
        "report", "--cores", "1", *SMOKE, workdir=tmp_path, check=False, env={"MNIST_DIR": str(tmp_path / "nowhere")}
    )
    assert result.returncode != 0
    assert (
        f"MNIST data directory {tmp_path / 'nowhere'} (from the environment variable MNIST_DIR) does not exist"
        in result.stdout + result.stderr
    )
    assert not (tmp_path / "results").exists()


def test_unreachable_downloader_stops_the_run_with_the_fix(tmp_path):
    """No data directory and no internet: the data job fails saying what to do, and leaves no output."""
    result = run_snakemake(
        "results/data/mnist.npz",
        "--cores",
        "1",
        *SMOKE,
        workdir=tmp_path,
        check=False,
        env={**OFFLINE, "KERAS_HOME": str(tmp_path / "keras")},
    )
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Keras could not download MNIST" in out and "environment variable MNIST_DIR" in out
    assert not (tmp_path / "results" / "data" / "mnist.npz").exists()


def test_corrupt_data_file_stops_the_run(tmp_path):
    data_dir = tmp_path / "mnist"
    data_dir.mkdir()
    for f in mnist_dir().glob("*.gz"):
        (data_dir / f.name).symlink_to(f)
    labels = data_dir / "t10k-labels-idx1-ubyte.gz"
    truncated = labels.read_bytes()[:1000]
    labels.unlink()
    labels.write_bytes(truncated)
    work = tmp_path / "work"
    work.mkdir()
    result = run_snakemake(
        "report", "--cores", "1", *SMOKE, workdir=work, check=False, env={"MNIST_DIR": str(data_dir)}
    )
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert f"error: {labels}: the gzip stream is truncated" in out
    assert not (work / "results" / "data" / "mnist.npz").exists()
    assert not (work / "report" / "report.html").exists()


def test_sweep_is_one_job_per_factor_and_replicate(tmp_path):
    """The default configuration's DAG: one train_sweep job per (factor, replicate). Planned in an empty
    working directory, so that a build in the checkout (make report) cannot leave it nothing to plan."""
    import yaml

    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())["sweep"]
    result = run_snakemake("report", "-n", "--cores", "2", workdir=tmp_path, env={"MNIST_DIR": str(mnist_dir())})
    jobs = planned_jobs(result)
    assert jobs["train_sweep"] == len(config["factors"]) * config["replicates"] == 18
    assert jobs["aggregate_sweep"] == 1


def test_the_hinton_study_runs_only_on_mnist(tmp_path):
    """The study chases Hinton's MNIST figure: data of other checksums (the config names them, and the
    data is checked against them) plans none of its jobs; MNIST's plans them."""
    import yaml

    other = tmp_path / "other.yaml"
    sha = yaml.safe_load((REPO / "config" / "config.yaml").read_text())["data"]["sha256"]
    other.write_text(yaml.safe_dump({"data": {"name": "Other", "sha256": {k: "ab" * 32 for k in sha}}}))
    plans = {}
    for name, extra in (("mnist", ()), ("other", ("--configfile", str(other)))):
        work = tmp_path / name
        work.mkdir()
        env = {"MNIST_DIR": str(mnist_dir())}
        plans[name] = planned_jobs(run_snakemake("report", "-n", "--cores", "2", *extra, workdir=work, env=env))
    assert plans["mnist"].get("train_hinton", 0) > 0
    assert not any(rule.startswith(("train_hinton", "choose_hinton", "aggregate_hinton")) for rule in plans["other"])
    assert plans["other"]["train_sweep"] == plans["mnist"]["train_sweep"]


def test_sweep_table_matches_job_files(smoke_run):
    import yaml

    from mnistflow.sweep import format_factor, read_table

    workdir, repo, _ = smoke_run
    smoke = yaml.safe_load((repo / "config" / "smoke.yaml").read_text())["sweep"]
    runs = read_table(workdir / "results/sweep/runs.csv")
    assert len(runs) == len(smoke["factors"]) * smoke["replicates"]
    for factor in smoke["factors"]:
        label = format_factor(factor)
        tests = []
        for r in range(smoke["replicates"]):
            metrics = read(workdir, f"results/sweep/l2_{label}/rep{r}/metrics.json")
            assert metrics["settings"]["model"]["l2"] == factor
            tests.append(metrics["test"]["accuracy"])
            row = runs[(runs.factor_label == label) & (runs.replicate == r)].iloc[0]
            assert row.final_val_accuracy == pytest.approx(metrics["history"]["val_accuracy"][-1])
        summary = read_table(workdir / "results/sweep/summary.csv").set_index("factor_label")
        assert summary.loc[label, "test_accuracy_mean"] == pytest.approx(sum(tests) / len(tests))
    # replicate r has the same seed at every factor
    assert runs.groupby("replicate")["seed"].nunique().eq(1).all()
    assert runs.groupby("factor_label")["seed"].nunique().eq(smoke["replicates"]).all()


def test_report_2d_shows_the_sweep_table(smoke_run):
    from mnistflow import claims
    from mnistflow.inference import mean_interval
    from mnistflow.sweep import read_table

    workdir, _, _ = smoke_run
    q2d = section((workdir / "report" / "report.html").read_text(), "q2d")
    summary = read_table(workdir / "results/sweep/summary.csv")
    runs = read_table(workdir / "results/sweep/runs.csv")
    for _, row in summary.iterrows():
        tests = runs.loc[runs.factor_label == row.factor_label, "test_accuracy"]
        interval = mean_interval(tests.tolist())
        assert f'<td class="num">{row.final_val_accuracy_mean:.4f}<br><span class="ci">[' in q2d
        assert (
            f'{row.test_accuracy_mean:.4f}<br><span class="ci">[{interval.low:.4f}, {interval.high:.4f}]</span>' in q2d
        )
    choice = claims.factor_choice(runs, read(workdir, "results/data/summary.json")["splits"]["val"]["count"])
    assert f"Validation chose factor <strong>{choice.values['best']}</strong>" in q2d
    assert f"got {choice.values['correct']:,} of" in q2d
    assert "0.9847" in q2d and "activity_regularizer" in q2d


def report_inputs(workdir, repo):
    """The report rule's named inputs of the smoke run, as the report script receives them."""
    import yaml

    from mnistflow import report  # noqa: F401

    smoke = yaml.safe_load((repo / "config" / "smoke.yaml").read_text())
    n_cnn = smoke["cnn"]["replicates"]
    sweep_jobs = [(f, r) for f in ("0", "1e-4") for r in range(smoke["sweep"]["replicates"])]
    w = lambda p: str(workdir / p)  # noqa: E731
    return {
        "references": str(repo / "workflow/report/references.yaml"),
        "data_info": w("results/data/info.json"),
        "data_summary": w("results/data/summary.json"),
        "examples_figure": w("results/figures/examples.png"),
        "dense_metrics": w("results/dense/metrics.json"),
        "dense_timing": w("results/dense/timing.json"),
        "dense_predictions": w("results/dense/predictions.npz"),
        "dense_accuracy_figure": w("results/figures/dense_accuracy.svg"),
        "loss_formula_figure": w("results/figures/loss_formula.svg"),
        "sweep_runs": w("results/sweep/runs.csv"),
        "sweep_summary": w("results/sweep/summary.csv"),
        "sweep_factor_figure": w("results/figures/sweep_factor.svg"),
        "sweep_curves_figure": w("results/figures/sweep_curves.svg"),
        "sweep_metrics": [w(f"results/sweep/l2_{f}/rep{r}/metrics.json") for f, r in sweep_jobs],
        "sweep_timing": [w(f"results/sweep/l2_{f}/rep{r}/timing.json") for f, r in sweep_jobs],
        "cnn_summary": w("results/cnn/summary.json"),
        "cnn_metrics": [w(f"results/cnn/rep{r}/metrics.json") for r in range(n_cnn)],
        "cnn_timing": [w(f"results/cnn/rep{r}/timing.json") for r in range(n_cnn)],
        "cnn_accuracy_figure": w("results/figures/cnn_accuracy.svg"),
        "classifier_choice": w("results/best_classifier.json"),
        "cnn_earlier_layers": w("results/cnn_earlier/layers.json"),
        "cnn_earlier_metrics": w("results/cnn_earlier/metrics.json"),
        "cnn_earlier_timing": w("results/cnn_earlier/timing.json"),
        "shift_table": w("results/shift/accuracy.csv"),
        "shift_figure": w("results/figures/shift.svg"),
        "autoencoder_metrics": w("results/autoencoder/metrics.json"),
        "autoencoder_timing": w("results/autoencoder/timing.json"),
        "autoencoder_loss_figure": w("results/figures/autoencoder_loss.svg"),
        "autoencoder_diagram_figure": w("results/figures/autoencoder_diagram.svg"),
        "denoising_table": w("results/denoising/levels.csv"),
        "noisy_classifier_metrics": w("results/noisy_classifier/metrics.json"),
        "noisy_classifier_timing": w("results/noisy_classifier/timing.json"),
        "denoising_examples": w("results/denoising/examples.npz"),
        "sweep_curves_data": w("results/figures/sweep_curves.json"),
        "assignment": str(repo / "workflow/report/assignment.yaml"),
        "denoising_examples_figure": w("results/figures/denoising_examples.png"),
        "denoising_mse_figure": w("results/figures/denoising_mse.svg"),
        "denoising_accuracy_figure": w("results/figures/denoising_accuracy.svg"),
        "generation_scores": w("results/generation/scores.json"),
        "generated_figure": w("results/figures/generated.png"),
        "interpolation_figure": w("results/figures/interpolation.png"),
        "generation_images": w("results/generation/digits.npz"),
        "generated_novelty_figure": w("results/figures/generated_novelty.svg"),
        "cnn_design": w("results/cnn_design/choice.json"),
        "cnn_diagnostics": w("results/cnn/diagnostics.npz"),
        "cnn_confusion_figure": w("results/figures/cnn_confusion.svg"),
        "cnn_misclassified_figure": w("results/figures/cnn_misclassified.png"),
    }


def test_report_shows_whatever_the_metrics_files_say(smoke_run, tmp_path):
    """Render the template from the run's files, then from edited copies: the numbers follow the files."""

    import yaml

    from mnistflow import files, history, rendering, report

    workdir, repo, _ = smoke_run
    copy = tmp_path / "work"
    shutil.copytree(workdir / "results", copy / "results")
    config = yaml.safe_load((repo / "config" / "config.yaml").read_text())
    html = {}
    for name, (dense_acc, cnn_acc) in {"a": (0.91234, 0.99111), "b": (0.84567, 0.98222)}.items():
        metrics = files.read_json(copy / "results/dense/metrics.json")
        metrics["test"]["accuracy"] = dense_acc
        files.write_json(copy / "results/dense/metrics.json", metrics)
        summary = files.read_json(copy / "results/cnn/summary.json")
        summary["test_accuracy"]["mean"] = cnn_acc
        files.write_json(copy / "results/cnn/summary.json", summary)
        inputs = report_inputs(copy, repo)
        context = report.build_context(
            inputs, config, **synthetic.report_roles(inputs), versions={"keras": "x"}, repo=REPO
        )
        context["changes"] = history.record(context, inputs, tmp_path / "history", REPO)[1]
        html[name] = rendering.render(repo / "workflow/report", "report.html.j2", context)
    assert "0.9123" in section(html["a"], "q2c") and "0.9123" not in html["b"]
    assert "0.8457" in section(html["b"], "q2c") and "0.8457" not in html["a"]
    assert "<strong>0.9911</strong>" in section(html["a"], "q3a") and "<strong>0.9822</strong>" in section(
        html["b"], "q3a"
    )


def test_report_3a_3b_numbers(smoke_run):
    import pandas as pd

    from mnistflow.evaluation import SHIFT_CELL_NAMES, shift_curves
    from mnistflow.inference import mean_interval

    workdir, _, _ = smoke_run
    html = (workdir / "report" / "report.html").read_text()
    summary = read(workdir, "results/cnn/summary.json")
    q3a = section(html, "q3a")
    interval = mean_interval(summary["test_accuracy"]["values"])
    assert (
        f"<strong>{summary['test_accuracy']['mean']:.4f}</strong>" in q3a
        and f"[{interval.low:.4f}, {interval.high:.4f}]" in q3a
    )
    rep0 = read(workdir, "results/cnn/rep0/metrics.json")
    layers = section(html, "cnn-layers")  # the layer table is in the appendix, the totals in 3A
    for layer in rep0["layers"]:
        assert f"<code>{layer['name']}</code>" in layers
    assert f"{sum(layer['macs'] for layer in rep0['layers']):,}" in q3a
    earlier = read(workdir, "results/cnn_earlier/metrics.json")  # the smoke config trains it
    assert f"{earlier['test']['accuracy']:.4f}" in q3a  # the comparison table: the appendix
    assert "Both networks were trained in this run" in section(html, "cnn-layers")
    shifts = section(html, "shift-factors")  # the shift table and the controls' split: the appendix
    curves = shift_curves(pd.read_csv(workdir / "results/shift/accuracy.csv"), SHIFT_CELL_NAMES)
    assert len(curves) == 4  # the smoke CNN augments: the two controls are there
    for name, curve in curves.items():
        assert str(markupsafe.escape(name)) in shifts
        for value, interval in zip(curve["mean"], curve["intervals"], strict=True):
            assert f"{value:.4f}" in shifts and f"[{interval.low:.4f}, {interval.high:.4f}]" in shifts
    assert "the controls" in shifts.lower() and 'href="#shift-factors"' in section(html, "q3b")
    # 3A: the design study chose on validation, and 3A trained the chosen design
    design = read(workdir, "results/cnn_design/choice.json")
    best = max(design["candidates"].values(), key=lambda c: c["correct"])
    assert design["candidates"][design["name"]]["correct"] == best["correct"]
    assert rep0["settings"]["model"] == design["model"] and rep0["settings"]["training"] == design["training"]
    study = section(html, "design-study")
    assert f"<strong>{design['name']}</strong>" in study and 'href="#design-study"' in q3a
    for name in design["candidates"]:
        assert f"<code>{name}</code>" in study
    diagnostics = np.load(workdir / "results/cnn/diagnostics.npz")
    errors = diagnostics["confusion"].sum(axis=(1, 2)) - np.trace(diagnostics["confusion"], axis1=1, axis2=2)
    from mnistflow.rendering import fmt_num

    assert f"misclassifies {fmt_num(float(np.mean(errors)), 3)} of the" in section(html, "cnn-errors")
    choice = read(workdir, "results/best_classifier.json")
    assert max(choice["candidates"].values()) == choice["best"]["val_accuracy"]


def test_report_4_numbers_and_thresholds(smoke_run):
    import pandas as pd
    import yaml

    from mnistflow import claims
    from mnistflow.rendering import fmt_num

    workdir, repo, _ = smoke_run
    html = (workdir / "report" / "report.html").read_text()
    ae = read(workdir, "results/autoencoder/metrics.json")
    assert f"<strong>{ae['history']['val_loss'][-1]:.4g}</strong>" in section(html, "q4a")
    for path in ("autoencoder", "encoder", "decoder"):
        assert (workdir / f"results/autoencoder/{path}.keras").stat().st_size > 0
    table = pd.read_csv(workdir / "results/denoising/levels.csv").sort_values("level")
    assert (table["noisy_only"] + table["denoised_only"] <= table["images"]).all()
    q4b, levels_table = section(html, "q4b"), section(html, "denoising-levels")
    for _, row in table.iterrows():
        assert f'<td class="num">{row.accuracy_noisy:.4f}<br><span class="ci">[' in levels_table
        assert f'<td class="num">{row.accuracy_denoised:.4f}<br><span class="ci">[' in levels_table
    config = yaml.safe_load((repo / "config" / "config.yaml").read_text())["denoising"]
    levels, n = table["level"].tolist(), int(table["images"].iloc[0])
    noisy = claims.first_level_below(
        "noisy_below_criterion", levels, table["accuracy_noisy"].tolist(), n, config["recognisable_accuracy"], "x"
    )
    words = {"never": "at no tested level", "from_lowest_level": "already at the lowest tested level"}
    expected = words.get(noisy.verdict, f"from p&nbsp;=&nbsp;{fmt_num(noisy.values.get('level', 0))}")
    assert f"falls below {100 * config['recognisable_accuracy']:.0f}%</strong>\n{expected}" in q4b
    fails, _ = claims.denoising_fails(
        levels,
        table["mse_denoised"].tolist(),
        float(table["mse_mean_image"].iloc[0]),
        table["mse_gap_se"].tolist(),
        table["accuracy_denoised"].tolist(),
        n,
        10,
    )
    expected = {"never": "at no tested level", "from_lowest_level": "already at the lowest tested level"}.get(
        fails.verdict, f"from p&nbsp;=&nbsp;{fmt_num(fails.values.get('level', 0))}"
    )
    assert f"than the mean training image)\n{expected}" in q4b
    helps, _ = claims.denoising_helps(claims.level_gains(table), config["min_gain"], 10)
    assert f"{100 * helps.values['max_gain']:.1f} percentage points" in section(html, "q4c")
    scores = read(workdir, "results/generation/scores.json")
    q4d, details = section(html, "q4d"), section(html, "generated-details")
    assert f"<strong>{100 * scores['recognised']:.1f}%</strong>" in q4d
    for c in scores["per_class"]:
        assert f'<td class="num">{100 * c["recognised"]:.0f}%</td>' in details
    generated = np.load(workdir / "results/generation/digits.npz")
    smoke = yaml.safe_load((repo / "config" / "smoke.yaml").read_text())["generation"]
    assert generated["images"].shape == (10 * smoke["per_class"], 784)
    # 4D's references and novelty: the numbers in the text are those of the job's files
    real, agnostic = scores["references"]["real_validation"], scores["references"]["class_agnostic"]
    assert f"against {100 * real['recognised']:.1f}% of the {real['samples']:,}" in q4d
    assert (
        f"{100 * agnostic['confident']:.1f}%" in details
        and f"{100 * scores['clipped_share']['per_class']:.2f}% of the sampled coordinates" in details
    )
    for key in ("generated", "decoded_train", "decoded_val", "clean_val"):
        assert f"{np.median(generated['distance_' + key]):.2f}" in details
    # each shown sample's neighbour is its nearest training image
    data = np.load(workdir / "results/data/mnist.npz")
    train = data["x_train"].reshape(len(data["x_train"]), -1).astype(float) / 255
    d = np.linalg.norm(train - generated["images"][0], axis=1)
    assert int(generated["nearest_index"][0]) == int(np.argmin(d)) and generated["distance_generated"][
        0
    ] == pytest.approx(d.min(), abs=1e-4)
    assert "Are they digits?" in q4d and "Are they new?" in details


def test_report_hinton_study(smoke_run):
    """2D's addition: every variant of the smoke study in the table, paired with the 2D runs, with the
    one-sentence answer."""
    from mnistflow import claims

    workdir, repo, _ = smoke_run
    html = (workdir / "report" / "report.html").read_text()
    q2d = section(html, "hinton-study")  # the study is in the appendix; 2D links to it
    assert 'href="#hinton-study"' in section(html, "q2d")
    summary = read(workdir, "results/hinton/summary.json")
    assert set(summary["variants"]) == {"all_data", "momentum", "longer"}
    assert (
        summary["variants"]["all_data"]["train_samples"]
        > read(workdir, "results/sweep/l2_0/rep0/metrics.json")["train_samples"]
    )
    assert summary["variants"]["momentum"]["rechosen"] and summary["variants"]["longer"]["epochs"] == 2
    smoke = __import__("yaml").safe_load((repo / "config" / "smoke.yaml").read_text())
    defaults = __import__("yaml").safe_load((repo / "config" / "config.yaml").read_text())
    for name, variant in summary["variants"].items():  # the report adds each variant's description from the config
        variant["description"] = {**defaults["hinton_study"]["variants"], **smoke["hinton_study"]["variants"]}[name][
            "description"
        ]
    rows, reproduced, most = claims.hinton_study(
        summary, 0.9847, read(workdir, "results/data/summary.json")["splits"]["test"]["count"]
    )
    for row in rows:
        assert f"<code>{row['name']}</code>" in q2d and f"{row['mean']:.4f}" in q2d
    words = {
        "reproduced": "At least one tested procedure reproduces",
        "not_ruled_out": "is not ruled out, but no tested procedure reproduces it",
        "not_reproduced": "is not reproduced by any tested procedure",
        "single_run": "no verdict on reproduction",
    }
    assert words[reproduced.verdict] in html_lib.unescape(re.sub(r"<[^>]+>", "", q2d))
    # the momentum variant was tuned on validation over its grid; the baseline has its extra seed
    momentum = summary["variants"]["momentum"]
    assert len(momentum["grid"]) == 4 and sum(c["chosen"] for c in momentum["grid"]) == 1
    assert momentum["learning_rate"] == next(c["learning_rate"] for c in momentum["grid"] if c["chosen"])
    assert summary["baseline"]["extra"] == [2] and summary["baseline"]["replicates"] == [0, 1, 2]
    assert "Tuning of <code>momentum</code> on the validation set" in q2d


# --- The report's two formats and Snakemake's own report ---


def heading_texts(html):
    """The text of every h2 of the HTML report, tags removed, entities decoded."""
    import html as html_lib

    return [html_lib.unescape(re.sub(r"<[^>]+>", "", h)).strip() for h in re.findall(r"<h2>(.*?)</h2>", html, re.S)]


def test_pdf_has_pages_numbers_and_every_heading(smoke_run):
    import html as html_lib

    from pypdf import PdfReader

    from mnistflow import layout

    workdir, _, _ = smoke_run
    pdf = workdir / "report" / "report.pdf"
    reader = PdfReader(pdf)
    pages = len(reader.pages)
    assert 12 <= pages <= 40, f"{pages} pages"
    texts = [page.extract_text() for page in reader.pages]
    flat = re.sub(r"\s+", " ", " ".join(texts))
    html = (workdir / "report" / "report.html").read_text()
    headings = heading_texts(html)
    assert len(headings) == len(SECTIONS)
    for heading in headings:
        assert re.sub(r"\s+", " ", heading) in flat, heading
    for number, text in enumerate(texts, start=1):
        assert f"page {number} of {pages}" in text
    # the table of contents gives each section's page: the page where that section's heading is printed
    # (the body's contents end with a link to the appendix's own, at the appendix's start)
    navs = re.findall(r"<nav[^>]*>(.*?)</nav>", html, re.S)
    assert (
        len(navs) == 2
        and 'href="#appendix-contents"' in navs[0]
        and html.index(navs[1]) > html.index('<div class="appendix">')
    )
    appendix_page = layout.body_pages(layout.read(pdf))  # index of the appendix's first page
    contents = [
        entry
        for nav in navs
        for entry in re.findall(r'<li><a href="#([\w-]+)">(.*?)</a></li>', nav)
        if entry[0] != "appendix-contents"
    ]
    assert [anchor for anchor, _ in contents] == SECTIONS
    for anchor, label in contents:
        label = html_lib.unescape(re.sub(r"<[^>]+>", "", label)).strip()
        page = texts[0] if anchor in re.findall(r'href="#([\w-]+)"', navs[0]) else texts[appendix_page]
        entry = re.search(re.escape(label) + r"[ .]*?(\d+)\s*$", re.sub(r"[ \t]+", " ", page), re.M)
        assert entry, f"no contents entry for {label}"
        heading = heading_texts(section(html, anchor))[0]
        assert heading in re.sub(r"\s+", " ", texts[int(entry.group(1)) - 1]), (label, entry.group(1))


def test_pdf_layout_reads_as_a_document(smoke_run):
    """The PDF as a reader pages through it (read back with pdfplumber): no page but the last more than
    half empty, no heading left at the foot of a page without its text, nothing printed smaller than
    7 pt, and no table footer repeated on a second page (the job table's total is printed once)."""
    from mnistflow import layout

    workdir, _, _ = smoke_run
    pages = layout.read(workdir / "report" / "report.pdf")
    # the appendix starts on a page of its own with its contents, so the body's last page and the appendix's
    # contents page may be short
    last_of_body = layout.body_pages(pages)
    half_empty = [
        (p.number, round(p.filled, 2))
        for p in pages[:-1]
        if p.filled < 0.5 and p.number not in (last_of_body, last_of_body + 1)
    ]
    assert not half_empty, f"pages more than half empty (page, filled share): {half_empty}"
    orphans = [(p.number, p.headings[-1][0]) for p in pages if p.headings and not p.content_after_last_heading]
    assert not orphans, f"headings at the foot of a page without their text: {orphans}"
    # in the body (the appendix prints the configuration, whose YAML lines end in ":")
    lead_ins = [(p.number, p.last_line) for p in pages[: layout.body_pages(pages)] if p.last_line.endswith(":")]
    assert not lead_ins, f"a lead-in at the foot of a page, parted from what it introduces: {lead_ins}"
    small = [(p.number, p.smallest_text) for p in pages if p.smallest_text is not None and p.smallest_text < 6.95]
    assert not small, f"text smaller than 7 pt (page, size): {small}"
    text = " ".join(p.text for p in pages)
    assert text.count("sum of these jobs' times") == 1


#: The main body's limits on the smoke build, whose body has the default build's sections, figures and
#: prose; its tables have fewer rows, which cost the default build about 90 more words (4,812 words on
#: the smoke build against 4,899 on the default one, measured on the same templates). The default
#: build's limits are 16 pages and 5,000 words; the smoke build's word limit is scaled down by that.
BODY_PAGES, BODY_WORDS = 16, 4_900


def test_main_body_fits_its_page_and_word_limits(smoke_run):
    """The main body (the summary and the questions, before the appendix) within its page limit in the PDF
    and its word limit in the HTML (prose and tables; figures' own text not counted)."""
    from mnistflow import layout

    workdir, _, _ = smoke_run
    pages = layout.read(workdir / "report" / "report.pdf")
    html = (workdir / "report" / "report.html").read_text()
    body = html.split("<body>")[1].split('<div class="appendix">')[0]
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<img [^>]*>", "", body)))
    assert layout.body_pages(pages) <= BODY_PAGES
    assert len(text.split()) <= BODY_WORDS
    assert any(h.startswith("Appendix") for h, _ in pages[layout.body_pages(pages)].headings)


def test_provenance_says_on_what_how_long_and_how_to_rebuild(smoke_run):
    """The provenance names the CPU the jobs ran on and its memory, the build's wall-clock time, the
    rebuild command, and saves the configuration it names (loading it gives this run's config)."""
    import yaml

    from mnistflow import runtime

    workdir, repo, _ = smoke_run
    prov = section((workdir / "report" / "report.html").read_text(), "provenance")
    cpu = runtime.cpu_identity().get("cpu_model")
    if cpu:
        assert cpu in prov
    assert f"{runtime.memory_gib():.1f}" in prov
    assert re.search(r"minutes of wall-clock time", prov)
    assert "snakemake report --cores 4 --configfile report/config.yaml" in prov
    saved = yaml.safe_load((workdir / "report" / "config.yaml").read_text())
    expected = yaml.safe_load((repo / "config" / "config.yaml").read_text())

    def merge(base, extra):
        for key, value in extra.items():
            base[key] = (
                merge(dict(base.get(key) or {}), value)
                if isinstance(value, dict) and isinstance(base.get(key), dict)
                else value
            )
        return base

    merge(expected, yaml.safe_load((repo / "config" / "smoke.yaml").read_text()))
    for key in ("seed", "data", "dense", "sweep", "autoencoder", "denoising"):
        assert saved[key] == expected[key], key
    assert "Settings that differ from the assignment" in prov


def test_html_is_valid_and_loads_nothing(smoke_run):
    import html5lib

    workdir, _, _ = smoke_run
    html = (workdir / "report" / "report.html").read_text()
    parser = html5lib.HTMLParser(strict=False, namespaceHTMLElements=False)
    tree = parser.parse(html)
    assert parser.errors == []
    remote = []
    for element in tree.iter():
        for attr in ("src", "href", "srcset", "data", "poster"):
            value = element.get(attr)
            if value and re.match(r"\s*(https?:)?//", value):
                remote.append((element.tag, value[:80]))
        if element.tag == "link":
            remote.append((element.tag, element.get("href")))  # no stylesheet or icon files at all
    assert remote == []
    assert not re.search(r"url\(\s*['\"]?\s*(https?:)?//", html) and "@import" not in html
    for element in tree.iter("img"):
        assert element.get("src").startswith("data:image/") and element.get("alt")


def test_line_plots_are_vector_with_captions(smoke_run):
    workdir, _, _ = smoke_run
    html = (workdir / "report" / "report.html").read_text()
    figures = re.findall(r"<figure>(.*?)</figure>", html, re.S)
    assert len(figures) >= 12
    svg = [f for f in figures if 'src="data:image/svg+xml' in f]
    assert len(svg) >= 8  # every line plot (accuracy, loss, sweep, shift, denoising curves) and the diagram
    for figure in figures:
        assert re.search(r"<figcaption>\s*\S", figure), figure[:200]


def test_snakemake_builtin_report(smoke_run):
    workdir, repo, _ = smoke_run
    out = workdir / "report" / "snakemake.html"
    run_snakemake(
        "--report",
        str(out),
        "--configfile",
        str(repo / "config" / "smoke.yaml"),
        workdir=workdir,
        repo=repo,
        env={"MNIST_DIR": str(mnist_dir())},
    )
    text = out.read_text()
    assert out.stat().st_size > 100_000
    for caption in (
        "Question 2D: final validation accuracy of the 500-300 network",
        "Question 4C: accuracy of the best classifier",
        "Question 3B: test accuracy per shift and direction",
    ):
        assert caption in text, caption


# --- What reruns after a library edit: computed from the scripts' imports ---


def rule_scripts():
    """Each rule's name and the stem of its script, and the name its code param is computed from."""
    found = {}
    for path in [REPO / "Snakefile", *sorted((REPO / "workflow" / "rules").glob("*.smk"))]:
        for block in re.split(r"(?m)^(?=rule \w+:)", path.read_text()):
            rule = re.match(r"rule (\w+):", block)
            script = re.search(r'script:\s*\n\s*"([^"]+)"', block)
            if rule and script:
                code = re.search(r'code=script_code\("(\w+)"\)', block)
                found[rule.group(1)] = (
                    script.group(1).rsplit("/", 1)[-1].removesuffix(".py"),
                    code.group(1) if code else None,
                )
    return found


def test_every_rule_hashes_the_code_its_own_script_uses():
    scripts = rule_scripts()
    assert len(scripts) > 20
    for rule, (script, code) in scripts.items():
        assert code == script, f"rule {rule}: runs scripts/{script}.py but its code param hashes {code}"


def test_library_modules_follow_imports_transitively():
    from mnistflow.config import library_modules

    assert "sweep" in library_modules(REPO / "scripts" / "plot_sweep.py")  # imported by the script itself
    report = library_modules(REPO / "scripts" / "render_report.py")
    assert {"report", "claims", "inference", "rendering"} <= set(report)  # claims and inference only through report
    training = library_modules(REPO / "scripts" / "train_classifier.py")
    assert {"jobs", "runtime", "training", "models", "config"} <= set(training)  # config only inside jobs' functions
    assert "plots" not in training and "claims" not in training
    assert "__init__" in training  # the package runs before any of its modules


@pytest.fixture(scope="module")
def smoke_rules(smoke_run):
    """The rules of the smoke DAG."""
    workdir, repo, _ = smoke_run
    return set(planned_jobs(smoke(repo, workdir, "-n", "--forceall")))


# Which rules a module reaches is library_modules' answer (tested above for direct and transitive imports),
# and each rule hashes its own script's modules (test_every_rule_hashes_the_code_its_own_script_uses); this
# checks the chain end to end through Snakemake for a module few rules import, one reached only through
# another module, and the package's __init__, which every rule runs.
@pytest.mark.parametrize("module", ["noise", "inference", "__init__"])
def test_editing_a_library_module_reruns_exactly_the_rules_that_import_it(smoke_run, smoke_rules, tmp_path, module):
    from mnistflow.config import library_modules

    workdir, repo, _ = smoke_run
    library = tmp_path / "lib"
    shutil.copytree(REPO / "mnistflow", library / "mnistflow", ignore=shutil.ignore_patterns("__pycache__"))
    with open(library / "mnistflow" / f"{module}.py", "a") as fh:
        fh.write("\n# edited by a test\n")
    # Snakemake's summary: one row per output file, with its rule and whether its params changed
    rows = smoke(repo, workdir, "--summary", env_extra={"PYTHONPATH": str(library)}).stdout.splitlines()
    changed = {row.split("\t")[2] for row in rows[1:] if "\t" in row and "params changed" in row.split("\t")[4]}
    scripts = rule_scripts()
    expected = {
        rule for rule, (script, _) in scripts.items() if module in library_modules(REPO / "scripts" / f"{script}.py")
    }
    expected &= smoke_rules
    assert changed == expected and expected
    if module != "__init__":
        assert changed < smoke_rules  # a proper subset: the edit does not rerun everything


# -- what changed between builds, the forecast, the progress ---


def changes_text(workdir):
    import html as html_lib

    page = (workdir / "report" / "report.html").read_text()
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", section(page, "changes"))))


def test_a_rebuild_says_what_changed_and_whether_it_matters(smoke_run, tmp_path):
    """A setting changed: the section names it, lists the moved numbers with
    verdicts, and the terminal diff prints the same rows. Nothing changed: it says so."""
    import subprocess
    import sys

    from mnistflow import history

    workdir, repo, _ = smoke_run
    work = tmp_path / "work"
    for part in ("results", "history", ".snakemake/metadata"):
        shutil.copytree(workdir / part, work / part)
    override = tmp_path / "epochs.yaml"
    override.write_text("dense:\n  training:\n    epochs: 3\n")
    builds = len(history.snapshots(work / "history" / "smoke"))
    smoke(repo, work, str(override))
    text = changes_text(work)
    assert "dense.training.epochs 2 → 3" in text
    diff = subprocess.run(
        [sys.executable, str(repo / "tools" / "diff.py"), "--history", str(work / "history" / "smoke")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    changes = history.compare(*(history.load(p) for p in history.snapshots(work / "history" / "smoke")[-2:]), REPO)
    moved = {r["key"]: r for r in changes["moved"]}
    assert {"q2c.val_accuracy", "q2c.test_accuracy"} <= set(moved)  # the retrained network's numbers moved
    assert "q3a.test_accuracy" not in moved  # the CNN was not retrained
    assert "train_dense" in changes["reran"] and not any(j.startswith("cnn/") for j in changes["reran"])
    for row in changes["rows"]:
        cells = (
            f"| {row['section']} | {row['label']} | {row['before_text']} | {row['after_text']} | "
            f"{row['difference_text']} |"
        )
        assert cells in diff
        assert re.sub(r"\s+", " ", f"{row['label']} {row['before_text']} {row['after_text']}") in text
        assert row["verdict"] in ("unchanged", "within_noise", "beyond_noise", "changed")
    assert "`dense.training.epochs` 2 -> 3" in diff
    smoke(repo, work, str(override), "--forcerun", "report")
    assert "No changes:" in changes_text(work)
    assert len(history.snapshots(work / "history" / "smoke")) == builds + 2


def test_plan_lists_the_dry_run_jobs_with_a_time(smoke_run, tmp_path):
    import subprocess
    import sys

    workdir, repo, _ = smoke_run
    override = tmp_path / "levels.yaml"
    override.write_text("denoising:\n  levels: [0.0, 0.3]\n")
    args = [
        "-s",
        str(repo / "Snakefile"),
        "-d",
        str(workdir),
        "report",
        "--cores",
        "2",
        "--configfile",
        str(repo / "config" / "smoke.yaml"),
        str(override),
    ]
    env = {**__import__("os").environ, "MNIST_DIR": str(mnist_dir())}
    out = subprocess.run(
        [sys.executable, str(repo / "tools" / "plan.py"), *args], capture_output=True, text=True, check=True, env=env
    ).stdout
    expected = planned_jobs(smoke(repo, workdir, str(override), "-n"))
    listed = [line.split()[0] for line in out.splitlines()[1:] if line.strip() and not line[0].isdigit()]
    assert sorted(listed) == sorted(rule for rule, n in expected.items() for _ in range(n))
    assert " ? " not in out  # every job has an estimate: its own last run, here
    assert re.search(rf"^{sum(expected.values())} jobs, about \d+ s on 2 cores", out, re.M)
    nothing = subprocess.run(
        [sys.executable, str(repo / "tools" / "plan.py"), *args[:-1]],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout
    assert nothing.startswith("Nothing to do")


def test_build_prints_forecast_and_progress(smoke_run, tmp_path):
    import subprocess
    import sys

    workdir, repo, _ = smoke_run
    work = tmp_path / "work"
    for part in ("results", "history", ".snakemake/metadata"):
        shutil.copytree(workdir / part, work / part)
    args = [
        "-s",
        str(repo / "Snakefile"),
        "-d",
        str(work),
        "report",
        "--cores",
        "2",
        "--configfile",
        str(repo / "config" / "smoke.yaml"),
        "--forcerun",
        "plot_examples",
    ]
    env = {**__import__("os").environ, "MNIST_DIR": str(mnist_dir())}
    result = subprocess.run(
        [sys.executable, str(repo / "tools" / "build.py"), *args], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert re.search(r"^\[forecast\] 2 jobs, about \d+ s on 2 cores", result.stdout, re.M)
    assert re.search(
        r"^\[progress\] 0 of 2 jobs done, 1 running \(plot_examples 0 s\); about \d+ s left", result.stdout, re.M
    )
    assert re.search(r"^\[progress\] 2 of 2 jobs done, 0 running; about 0 s left", result.stdout, re.M)


def test_scaling_and_kernel_benchmarks_run_on_the_smoke_build(smoke_run, tmp_path):
    """bench/scaling.py and bench/kernels.py on the smoke build (they must not rot): the scaling
    table has its five variants, the doubled sweeps cost more; the CNN trained twice gives the
    same weights."""
    import subprocess
    import sys

    workdir, repo, _ = smoke_run
    env = {**__import__("os").environ, "MNIST_DIR": str(mnist_dir())}
    out = tmp_path / "scaling.json"
    result = subprocess.run(
        [
            sys.executable,
            str(repo / "bench" / "scaling.py"),
            "--workdir",
            str(workdir),
            "--configfile",
            str(repo / "config" / "smoke.yaml"),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    rows = {r["variant"]: r for r in json.loads(out.read_text())["rows"]}
    assert len(rows) == 5
    default = rows["default"]
    assert default["critical_path_seconds"] <= default["slurm_seconds"]["16"] <= default["laptop_seconds"]
    assert rows["2x replicates"]["jobs"] > default["jobs"] and rows["2x epochs"]["job_seconds"] > default["job_seconds"]
    kernels = tmp_path / "kernels.json"
    result = subprocess.run(
        [
            sys.executable,
            str(repo / "bench" / "kernels.py"),
            "--npz",
            str(workdir / "results/data/mnist.npz"),
            "--settings",
            "default",
            "default",
            "--out",
            str(kernels),
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    first, second = json.loads(kernels.read_text())["rows"]
    assert first["weights_sha256"] == second["weights_sha256"]
