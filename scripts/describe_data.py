"""Rule describe_data: shapes, dtypes, value ranges and class counts, before and after preprocessing."""

from mnistflow import data, files

with files.redirect_output(snakemake.log[0]):
    files.write_json(snakemake.output.summary, data.describe(files.read_npz(snakemake.input.npz)))
