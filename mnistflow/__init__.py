"""mnistflow: the library behind the MNIST assignment report workflow.

Importing the package itself is cheap (no Keras); the heavy modules
(`models`, `training`) import Keras and must be imported only after
`mnistflow.runtime.configure` has chosen the backend and thread count.
"""

__version__ = "0.1.0"
