"""Rule prepare_data: the four IDX files (or Keras' download) -> one uint8 .npz with the splits."""

from mnistflow import config, data, files

p = snakemake.params
with files.redirect_output(snakemake.log[0]):
    raw = data.load_mnist(config.resolve_data_dir(snakemake.config)[0], p.checksums)
    arrays = data.split(raw, validation_size=p.validation_size, seed=p.seed, subset=p.subset)
    files.write_npz(snakemake.output.npz, **arrays)
    files.write_json(
        snakemake.output.info,
        data.dataset_info(raw, arrays, validation_size=p.validation_size, seed=p.seed, subset=p.subset),
    )
