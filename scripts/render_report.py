"""Rule report: read every metrics file and figure of this run, compare with the previous build,
render the HTML report and its PDF, and add this build to the history."""

from pathlib import Path

from mnistflow import files, history, rendering, report, runtime

with files.redirect_output(snakemake.log[0]):
    inputs = {k: v for k, v in snakemake.input.items() if k != "templates"}
    repo = Path(snakemake.scriptdir).parent
    context = report.build_context(
        inputs,
        snakemake.params.config,
        figures=snakemake.params.figures,
        timings=snakemake.params.timings,
        benchmarks=snakemake.params.benchmarks,
        versions=runtime.versions(),
        repo=repo,
        config_path=snakemake.output.config,
    )
    snap, context["changes"] = history.record(context, inputs, snakemake.params.history, repo)
    rendering.render_to_file(Path(snakemake.input.references).parent, "report.html.j2", context, snakemake.output.html)
    files.write_text(snakemake.output.config, report.config_file_text(context["provenance"], snakemake.output.config))
    pages = rendering.html_to_pdf(snakemake.output.html, snakemake.output.pdf)
    saved = history.save(snakemake.params.history, snap)
    print(f"{snakemake.output.html}; {snakemake.output.pdf}: {pages} pages; build recorded in {saved}")
