"""The course's shared helpers: `import utils`, then utils.load_mnist(), utils.fit(), utils.show_images()...

Nothing happens at import time beyond importing: no downloads, no seeding, no plotting.
"""
from .backbone import Backbone, BackboneError, course_convnet, load_course_backbone, pretrained_backbone, train_course_backbone
from .checks import check_at_least, check_close, check_equal, check_param_count, check_shape, count_trainable
from .cifar import CIFAR10_CLASSES, load_cifar10
from .data import DataError, TensorLoader, data_root, load_mnist
from .device import describe_device, get_device, set_seed
from .mode import is_quick, pick
from .plot import plot_history, show_feature_maps, show_filters, show_images, show_misclassified
from .train import evaluate, fit, in_notebook, load_checkpoint, predict, save_checkpoint

__all__ = [
    "Backbone", "BackboneError", "CIFAR10_CLASSES", "course_convnet", "load_cifar10", "load_course_backbone",
    "pretrained_backbone", "train_course_backbone",
    "DataError", "TensorLoader", "check_at_least", "check_close", "check_equal", "check_param_count",
    "check_shape", "count_trainable", "data_root", "describe_device", "evaluate", "fit", "get_device",
    "in_notebook", "is_quick", "load_checkpoint", "load_mnist", "pick", "plot_history", "predict",
    "save_checkpoint", "set_seed", "show_feature_maps", "show_filters", "show_images", "show_misclassified",
]
