# The report: every question's metrics, figures and claims rendered to HTML and PDF, with the
# provenance of the build. Included last: it reads every other rule's outputs (its optional inputs,
# report_templates and REPORT_TIMINGS are in common.smk).

from mnistflow.report_inputs import FIGURE_INPUTS

# The figures the report embeds, by input name (figures.<name> in the templates): each a figure
# rule's declared output, as mnistflow/report_inputs.py lists them. The report rule takes them as
# inputs and names them in params.figures.
REPORT_FIGURES = {name: getattr(getattr(rules, rule).output, key) for name, (rule, key) in FIGURE_INPUTS.items()}


rule report:
    """Render the HTML report from every metrics file and figure of this run, and its PDF."""
    input:
        unpack(optional_report_inputs),
        **REPORT_FIGURES,
        references=REPORT_DIR / "references.yaml",
        assignment=REPORT_DIR / "assignment.yaml",
        templates=report_templates(),
        data_info=rules.prepare_data.output.info,
        data_summary=rules.describe_data.output.summary,
        dense_metrics=rules.train_dense.output.metrics,
        dense_timing=rules.train_dense.output.timing,
        dense_predictions=rules.train_dense.output.predictions,
        sweep_runs=rules.aggregate_sweep.output.runs,
        sweep_summary=rules.aggregate_sweep.output.summary,
        sweep_curves=rules.aggregate_sweep.output.curves,
        sweep_curves_data=rules.plot_sweep_curves.output.data,
        cnn_summary=rules.aggregate_cnn.output.summary,
        cnn_metrics=expand(rules.train_cnn.output.metrics, replicate=CNN_REPLICATES),
        cnn_timing=expand(rules.train_cnn.output.timing, replicate=CNN_REPLICATES),
        cnn_diagnostics=rules.diagnose_cnn.output.diagnostics,
        classifier_choice=rules.select_classifier.output.choice,
        cnn_earlier_layers=rules.describe_cnn_earlier.output.layers,
        shift_table=rules.evaluate_shift.output.table,
        autoencoder_metrics=rules.train_autoencoder.output.metrics,
        autoencoder_timing=rules.train_autoencoder.output.timing,
        noisy_classifier_metrics=rules.train_noisy_classifier.output.metrics,
        noisy_classifier_timing=rules.train_noisy_classifier.output.timing,
        denoising_table=rules.evaluate_denoising.output.table,
        denoising_examples=rules.evaluate_denoising.output.examples,
        generation_scores=rules.generate_digits.output.scores,
        generation_images=rules.generate_digits.output.images,
        sweep_metrics=for_each_sweep_job(rules.train_sweep.output.metrics),
        sweep_timing=for_each_sweep_job(rules.train_sweep.output.timing),
        benchmarks=list(BENCHMARKS.values()),
    output:
        html="report/report.html",
        pdf="report/report.pdf",
        config="report/config.yaml",
    log:
        "logs/report.log",
    localrule: True
    conda:
        CONDA_ENV
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        config=config,
        # the inputs the report embeds as figures (figures.<input name> in the templates), the jobs'
        # timing records (the machines in the provenance), and the benchmark file of every job by name
        figures=list(REPORT_FIGURES),
        timings=REPORT_TIMINGS,
        benchmarks=BENCHMARKS,
        history=config["report"]["history_dir"],
        code=script_code("render_report"),
    script:
        "../../scripts/render_report.py"
