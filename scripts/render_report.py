"""Rule report: read every metrics file and figure of this run, compare with the previous build,
render the HTML report and its PDF, and add this build to the history."""

from pathlib import Path

from mnistflow import history, io, rendering, report, runtime

with io.redirect_output(snakemake.log[0]):  # noqa: F821
    inputs = {k: v for k, v in snakemake.input.items() if k != "templates"}  # noqa: F821
    repo = Path(snakemake.scriptdir).parent  # noqa: F821
    context = report.build_context(inputs, snakemake.params.config, versions=runtime.versions(), repo=repo,  # noqa: F821
                                   config_path=snakemake.output.config)  # noqa: F821
    snap, context["changes"] = history.record(context, inputs, snakemake.params.history, repo)  # noqa: F821
    rendering.render_to_file(Path(snakemake.input.references).parent, "report.html.j2", context, snakemake.output.html)  # noqa: F821
    io.write_text(snakemake.output.config, report.config_file_text(context["provenance"], snakemake.output.config))  # noqa: F821
    pages = rendering.html_to_pdf(snakemake.output.html, snakemake.output.pdf)  # noqa: F821
    saved = history.save(snakemake.params.history, snap)  # noqa: F821
    print(f"{snakemake.output.html}; {snakemake.output.pdf}: {pages} pages; build recorded in {saved}")  # noqa: F821
