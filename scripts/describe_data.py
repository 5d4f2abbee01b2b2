"""Rule describe_data: shapes, dtypes, value ranges and class counts, before and after preprocessing."""

from mnistflow import data, io

with io.redirect_output(snakemake.log[0]):
    io.write_json(snakemake.output.summary, data.describe(io.read_npz(snakemake.input.npz)))
