"""Which of the report rule's named inputs play a role beyond being read: the figures it embeds and the
jobs' timing records it names as the machines of the build. Kept here, once, for the report rule
(its rule file builds the figure inputs from these tables) and for the tests that write a report's
inputs themselves.
"""

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
