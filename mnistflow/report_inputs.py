"""Which of the report rule's named inputs play a role beyond being read: the figures it embeds, the
jobs' timing records it names as the machines of the build, and the names the report gives the
candidate classifiers of 3B and 4. Kept here, once, for the rule files and for the tests that write a
report's inputs themselves. (No job's script imports this module, so editing it reruns no training.)
"""

from .evaluation import network_name

#: The figures the report embeds, by input name (figures.<name> in the templates): (figure rule, output key).
FIGURE_INPUTS = {
    "examples_figure": ("plot_examples", "figure"),
    "loss_formula_figure": ("plot_loss_formula", "figure"),
    "dense_accuracy_figure": ("plot_dense_history", "figure"),
    "sweep_factor_figure": ("plot_sweep", "figure"),
    "sweep_curves_figure": ("plot_sweep_curves", "figure"),
    "cnn_accuracy_figure": ("plot_cnn_history", "figure"),
    "cnn_confusion_figure": ("plot_cnn_diagnostics", "confusion"),
    "cnn_misclassified_figure": ("plot_cnn_diagnostics", "misclassified"),
    "shift_figure": ("plot_shift", "figure"),
    "autoencoder_loss_figure": ("plot_autoencoder_loss", "figure"),
    "autoencoder_diagram_figure": ("plot_autoencoder_diagram", "figure"),
    "denoising_examples_figure": ("plot_denoising", "examples"),
    "denoising_mse_figure": ("plot_denoising", "mse"),
    "denoising_accuracy_figure": ("plot_denoising", "accuracy"),
    "generated_figure": ("plot_generated", "grid"),
    "interpolation_figure": ("plot_generated", "interpolation"),
    "generated_novelty_figure": ("plot_generated", "novelty"),
}

#: The inputs that are training jobs' timing records; the earlier CNN's only where it is trained.
TIMING_INPUTS = (
    "dense_timing",
    "sweep_timing",
    "cnn_timing",
    "autoencoder_timing",
    "noisy_classifier_timing",
    "cnn_earlier_timing",
)


def timing_inputs(cnn_earlier_enabled: bool) -> list[str]:
    """The timing inputs of a build whose earlier CNN is trained (`cnn_earlier_enabled`) or not."""
    return [name for name in TIMING_INPUTS if cnn_earlier_enabled or name != "cnn_earlier_timing"]


def classifier_name(question: str, *, units=(), factor: str = "", replicate: int = 0) -> str:
    """How the report names a candidate classifier of questions 2-3 (select_classifier's choice): the
    dense network of 2A-2C by its `units`, a 2D run by its L2 `factor` and replicate, a 3A CNN by its
    replicate."""
    if question == "2A":
        return f"the {network_name(units)} network of 2A-2C"
    if question == "2D":
        return f"the 2D network at L2 factor {factor} (replicate {replicate})"
    if question == "3A":
        return f"the CNN of 3A (replicate {replicate})"
    raise ValueError(f"no classifier of question {question!r}: 2A, 2D or 3A")
