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
include: "workflow/rules/selection.smk"
include: "workflow/rules/shift.smk"
include: "workflow/rules/autoencoder.smk"
include: "workflow/rules/report.smk"


# The default target (a `default_target:` set inside an included file does not hold): the report,
# built by report.smk's rule from every question's outputs.
rule all:
    default_target: True
    input:
        rules.report.output.html,
        rules.report.output.pdf,
    localrule: True
