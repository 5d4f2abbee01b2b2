"""Rule report: read every metrics file and figure of this run, render the HTML report and its PDF."""

from pathlib import Path

from mnistflow import io, rendering, report, runtime

with io.redirect_output(snakemake.log[0]):  # noqa: F821
    inputs = {k: v for k, v in snakemake.input.items() if k != "templates"}  # noqa: F821
    context = report.build_context(inputs, snakemake.params.config, versions=runtime.versions(), repo=Path(snakemake.scriptdir).parent)  # noqa: F821
    rendering.render_to_file(Path(snakemake.input.references).parent, "report.html.j2", context, snakemake.output.html)  # noqa: F821
    pages = rendering.html_to_pdf(snakemake.output.html, snakemake.output.pdf)  # noqa: F821
    print(f"{snakemake.output.html}; {snakemake.output.pdf}: {pages} pages")  # noqa: F821
