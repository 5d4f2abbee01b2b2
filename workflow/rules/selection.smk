# The best classifier of questions 2-3, chosen on validation: 3B's and 4's classifier.


# Every trained classifier of questions 2-3 by name: (metrics file, model file).
CLASSIFIERS = {
    classifier_name("2A", units=config["dense"]["model"]["hidden_units"]): classifier_files(rules.train_dense),
    **{
        classifier_name("2D", factor=f, replicate=r): classifier_files(rules.train_sweep, factor=f, replicate=r)
        for f, r in SWEEP_JOBS
    },
    **{classifier_name("3A", replicate=r): classifier_files(rules.train_cnn, replicate=r) for r in CNN_REPLICATES},
}


rule select_classifier:
    """The best classifier of questions 2-3 by final validation accuracy (used by 3B and 4C)."""
    input:
        metrics=[metrics for metrics, _ in CLASSIFIERS.values()],
        models=[model for _, model in CLASSIFIERS.values()],
    output:
        choice="results/best_classifier.json",
    log:
        "logs/select_classifier.log",
    localrule: True
    conda:
        CONDA_ENV
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        names=list(CLASSIFIERS),
        code=script_code("select_classifier"),
    script:
        "../../scripts/select_classifier.py"
