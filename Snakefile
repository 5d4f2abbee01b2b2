# MNIST assignment report: from the raw IDX files to report/report.html.
#   snakemake --cores 4 report          (report is also the default target)
from snakemake.utils import min_version

min_version("9.0")


configfile: os.path.join(workflow.basedir, "config/config.yaml")


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/dense.smk"
include: "workflow/rules/sweep.smk"
include: "workflow/rules/cnn.smk"
include: "workflow/rules/autoencoder.smk"
include: "workflow/rules/figures.smk"


# Light jobs run where Snakemake runs, never queued on a cluster.
localrules:
    report,
    describe_data,
    describe_cnn_earlier,
    aggregate_sweep,
    aggregate_cnn,
    select_classifier,
    plot_examples,
    plot_dense_history,
    plot_sweep,
    plot_sweep_curves,
    plot_cnn_history,
    plot_shift,
    plot_autoencoder_loss,
    plot_autoencoder_diagram,
    plot_denoising,
    plot_generated,
    plot_loss_formula,


rule report:
    """Render the HTML report from every metrics file and figure of this run, and its PDF."""
    default_target: True
    input:
        unpack(optional_report_inputs),
        references=REPORT_DIR / "references.yaml",
        assignment=REPORT_DIR / "assignment.yaml",
        templates=report_templates(),
        data_info=rules.prepare_data.output.info,
        data_summary=rules.describe_data.output.summary,
        examples_figure=rules.plot_examples.output.figure,
        loss_formula_figure=rules.plot_loss_formula.output.figure,
        dense_metrics=rules.train_dense.output.metrics,
        dense_timing=rules.train_dense.output.timing,
        dense_accuracy_figure=rules.plot_dense_history.output.figure,
        sweep_runs=rules.aggregate_sweep.output.runs,
        sweep_summary=rules.aggregate_sweep.output.summary,
        sweep_factor_figure=rules.plot_sweep.output.figure,
        sweep_curves_figure=rules.plot_sweep_curves.output.figure,
        sweep_curves=rules.aggregate_sweep.output.curves,
        sweep_curves_data=rules.plot_sweep_curves.output.data,
        cnn_summary=rules.aggregate_cnn.output.summary,
        cnn_metrics=expand(rules.train_cnn.output.metrics, replicate=CNN_REPLICATES),
        cnn_timing=expand(rules.train_cnn.output.timing, replicate=CNN_REPLICATES),
        cnn_accuracy_figure=rules.plot_cnn_history.output.figure,
        cnn_diagnostics=rules.diagnose_cnn.output.diagnostics,
        cnn_confusion_figure=rules.plot_cnn_diagnostics.output.confusion,
        cnn_misclassified_figure=rules.plot_cnn_diagnostics.output.misclassified,
        classifier_choice=rules.select_classifier.output.choice,
        cnn_earlier_layers=rules.describe_cnn_earlier.output.layers,
        shift_table=rules.evaluate_shift.output.table,
        shift_figure=rules.plot_shift.output.figure,
        autoencoder_metrics=rules.train_autoencoder.output.metrics,
        autoencoder_timing=rules.train_autoencoder.output.timing,
        autoencoder_loss_figure=rules.plot_autoencoder_loss.output.figure,
        autoencoder_diagram_figure=rules.plot_autoencoder_diagram.output.figure,
        denoising_table=rules.evaluate_denoising.output.table,
        denoising_examples=rules.evaluate_denoising.output.examples,
        denoising_examples_figure=rules.plot_denoising.output.examples,
        denoising_mse_figure=rules.plot_denoising.output.mse,
        denoising_accuracy_figure=rules.plot_denoising.output.accuracy,
        generation_scores=rules.generate_digits.output.scores,
        generation_images=rules.generate_digits.output.images,
        generated_figure=rules.plot_generated.output.grid,
        interpolation_figure=rules.plot_generated.output.interpolation,
        generated_novelty_figure=rules.plot_generated.output.novelty,
        sweep_metrics=for_each_sweep_job(rules.train_sweep.output.metrics),
        sweep_timing=for_each_sweep_job(rules.train_sweep.output.timing),
        benchmarks=benchmark_files,
    output:
        html="report/report.html",
        pdf="report/report.pdf",
        config="report/config.yaml",
    params:
        config=config,
        history=config["report"].get("history_dir", "history"),
        code=script_code("render_report"),
    log:
        "logs/report.log",
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        CONDA_ENV
    script:
        "scripts/render_report.py"
