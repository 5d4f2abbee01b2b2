# MNIST assignment report: from the raw IDX files to report/report.html.
#   snakemake --cores 4 report          (report is also the default target)
from snakemake.utils import min_version

min_version("9.0")


configfile: os.path.join(workflow.basedir, "config/config.yaml")


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/dense.smk"
include: "workflow/rules/sweep.smk"
include: "workflow/rules/figures.smk"


rule report:
    """Render the HTML report from every metrics file and figure of this run."""
    default_target: True
    input:
        references=REPORT_DIR / "references.yaml",
        templates=report_templates(),
        data_info=rules.prepare_data.output.info,
        data_summary=rules.describe_data.output.summary,
        examples_figure=rules.plot_examples.output.figure,
        dense_metrics=rules.train_dense.output.metrics,
        dense_timing=rules.train_dense.output.timing,
        dense_accuracy_figure=rules.plot_dense_history.output.figure,
        sweep_runs=rules.aggregate_sweep.output.runs,
        sweep_summary=rules.aggregate_sweep.output.summary,
        sweep_factor_figure=rules.plot_sweep.output.figure,
        sweep_curves_figure=rules.plot_sweep_curves.output.figure,
    output:
        html="report/report.html",
    params:
        config=config,
        code=code_version("report", "rendering", "io", "sweep"),
    log:
        "logs/report.log",
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        CONDA_ENV
    script:
        "scripts/render_report.py"
