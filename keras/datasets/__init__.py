"""Small datasets: MNIST (a bundled sample works offline), Fashion-MNIST, CIFAR-10/100,
IMDB, Reuters and Boston housing (downloaded through `keras.utils.get_file`)."""
from . import mnist  # noqa: F401
from . import fashion_mnist  # noqa: F401
from . import cifar10  # noqa: F401
from . import cifar100  # noqa: F401
from . import imdb  # noqa: F401
from . import reuters  # noqa: F401
from . import boston_housing  # noqa: F401
